package cases

import (
	"context"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
)

func newID() string { return id.New() }

// Merge folds record mergedID into the identity survivorID: both records
// stay; the merged one points at the survivor and its stays show on the
// survivor's page. Refused when either has been merged already, when both
// have an open stay, or when staff marked them as different people.
func (s *Service) Merge(ctx context.Context, a auth.Actor, survivorID, mergedID string) (*Merge, error) {
	defer s.figuresChanged()
	const op = "cases.Merge"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return nil, err
	}
	if survivorID == mergedID {
		return nil, errs.InvalidFields(op, map[string]string{"into": "err.merge_self"})
	}
	sv, err := s.Store.PersonByID(ctx, survivorID)
	if err != nil {
		return nil, err
	}
	mg, err := s.Store.PersonByID(ctx, mergedID)
	if err != nil {
		return nil, err
	}
	if sv.MergedInto != "" || mg.MergedInto != "" {
		return nil, errs.E(errs.Conflict, op, "err.already_merged")
	}
	if d, err := s.Store.Distinct(ctx, sv.ID, mg.ID); err != nil {
		return nil, err
	} else if d {
		return nil, errs.E(errs.Conflict, op, "err.marked_distinct")
	}
	m := &Merge{ID: id.New(), SurvivorID: sv.ID, MergedID: mg.ID, ActorName: a.Name, At: s.now()}
	e := a.Entry("person.merge", "person", sv.ID)
	e.Detail = "from " + mg.Ref
	if err := s.Store.MergePeople(ctx, m, e); err != nil {
		return nil, err
	}
	return m, nil
}

// UndoMerge separates a merged record again and marks the pair as
// different people, so that they are never suggested or merged again.
func (s *Service) UndoMerge(ctx context.Context, a auth.Actor, mergeID string) (*Merge, error) {
	defer s.figuresChanged()
	const op = "cases.UndoMerge"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return nil, err
	}
	now := s.now()
	m, err := s.Store.UndoMerge(ctx, mergeID, now, a.Entry("person.merge_undo", "person_merge", mergeID))
	if err != nil {
		return nil, err
	}
	if err := s.Store.MarkDistinct(ctx, m.SurvivorID, m.MergedID, a.Name, now, a.Entry("person.distinct", "person", m.SurvivorID)); err != nil {
		return nil, err
	}
	return m, nil
}

// MarkDistinct records that two records are different people (a
// suggestion staff turned down).
func (s *Service) MarkDistinct(ctx context.Context, a auth.Actor, personID, otherID string) error {
	const op = "cases.MarkDistinct"
	if err := a.Require(op, auth.PermCasesManage); err != nil {
		return err
	}
	if personID == otherID {
		return errs.InvalidFields(op, map[string]string{"other": "err.merge_self"})
	}
	if _, err := s.Store.PersonByID(ctx, otherID); err != nil {
		return err
	}
	return s.Store.MarkDistinct(ctx, personID, otherID, a.Name, s.now(), a.Entry("person.distinct", "person", personID))
}

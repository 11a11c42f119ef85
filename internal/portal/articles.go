// Package portal is the station's public face and the record of its
// publicity (宣传, DESIGN.md §3.12): news articles that staff write and a
// leader approves before they are public (every saved text kept as a
// version, who and when kept), events such as the 6·19 open day with
// public registration, and the publicity work log.
package portal

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/files"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
	"github.com/havenrescue/haven/internal/photo"
	"github.com/havenrescue/haven/internal/secret"
)

// Categories of article.
const (
	CatNews    = "news"    // 新闻动态
	CatNotice  = "notice"  // 通知公告
	CatPolicy  = "policy"  // 政策解读
	CatReunion = "reunion" // 寻亲团圆, told with the family's consent
)

// Categories lists the categories in display order.
var Categories = []string{CatNews, CatNotice, CatPolicy, CatReunion}

// States of an article.
const (
	StateDraft     = "draft"     // being written
	StatePending   = "pending"   // submitted, waiting for a leader
	StateApproved  = "approved"  // public from PublishAt on
	StateWithdrawn = "withdrawn" // taken off the site
)

// Limits of an article's text.
const (
	MaxTitle   = 100
	MaxSummary = 300
	MaxBody    = 50_000 // bytes of Markdown
)

// Article is one news or publicity article.
type Article struct {
	ID, Slug, Category   string
	Title, Summary, Body string // Body is Markdown
	Consent              bool   // a reunion story: the family agreed to it being told
	State                string
	Version              int
	PublishAt            time.Time // zero: on approval
	CreatedBy            string
	CreatedAt, UpdatedAt time.Time
	SubmittedBy          string
	SubmittedAt          time.Time
	ApprovedBy           string
	ApprovedAt           time.Time
	WithdrawnBy          string
	WithdrawnAt          time.Time
	WithdrawReason       string
	// EditedBy is who saved the text being stored, by the name staff
	// know them by: the version's editor (not a column of the article).
	EditedBy string
	Versions []Version // filled by Article (staff view)
}

// PublicAt reports whether the article is on the public site at t.
func (a *Article) PublicAt(t time.Time) bool {
	return a.State == StateApproved && !a.PublishAt.After(t)
}

// Scheduled reports whether the article is approved but waits for its
// publishing time.
func (a *Article) Scheduled(t time.Time) bool {
	return a.State == StateApproved && a.PublishAt.After(t)
}

// Version is one saved text of an article.
type Version struct {
	Version                        int
	Category, Title, Summary, Body string
	EditedBy                       string
	EditedAt                       time.Time
}

// ArticleStore keeps articles.
type ArticleStore interface {
	// AddArticle inserts a new article and its first version.
	AddArticle(ctx context.Context, ar *Article, e audit.Entry) error
	// UpdateArticle writes ar over the stored article of version
	// ar.Version-1 (Conflict err.stale when it changed meanwhile); with
	// text it also keeps the text as version ar.Version.
	UpdateArticle(ctx context.Context, ar *Article, text bool, e audit.Entry) error
	ArticleByID(ctx context.Context, id string) (*Article, error) // NotFound
	ArticleBySlug(ctx context.Context, slug string) (*Article, error)
	ArticleVersions(ctx context.Context, id string) ([]Version, error) // newest first
	// Articles lists articles newest first; publicAt non-zero: only those
	// approved and published by then.
	Articles(ctx context.Context, publicAt time.Time) ([]*Article, error)
}

// Service is the portal's articles and events.
type Service struct {
	Store Store
	Now   func() time.Time
	Keys  *secret.Keyring // seals the phones of people who register for an event
	// Photos keeps the pictures of articles (cleaned by photo.CleanWeb).
	Photos files.Store
}

// Store is what the portal keeps.
type Store interface {
	ArticleStore
	EventStore
	LogStore
}

// ArticleInput is an article as staff write it.
type ArticleInput struct {
	Category, Title, Summary, Body string
	Consent                        bool
	PublishAt                      time.Time // zero: on approval
	// Image, when given, is a picture (JPEG, PNG or WebP) added at the
	// end of the body.
	Image []byte
}

// ImagePath is the address of an article's picture named name.
func ImagePath(name string) string { return "/news/images/" + strings.TrimPrefix(name, "news/") }

// Image returns an article picture by the last part of its address.
func (s *Service) Image(ctx context.Context, file string) ([]byte, error) {
	return s.Photos.Get(ctx, "news/"+file)
}

// addImage cleans and stores in.Image and appends it to the body.
func (s *Service) addImage(ctx context.Context, op string, in *ArticleInput) error {
	if len(in.Image) == 0 {
		return nil
	}
	clean, err := photo.CleanWeb(ctx, in.Image)
	if err != nil {
		key := "portal.err_image_format"
		switch err {
		case photo.ErrTooLarge:
			key = "err.photo_large"
		case photo.ErrDimensions:
			key = "err.photo_pixels"
		case photo.ErrDecodeSize:
			key = "err.photo_decode"
		case photo.ErrBusy:
			key = "err.photo_busy"
		}
		return errs.InvalidFields(op, map[string]string{"image": key})
	}
	name := "news/" + id.New() + ".jpg"
	if err := s.Photos.Put(ctx, name, clean); err != nil {
		return errs.Wrap(errs.Unavailable, op, err)
	}
	in.Body += "\n\n![" + strings.NewReplacer("[", "", "]", "").Replace(in.Title) + "](" + ImagePath(name) + ")"
	if len(in.Body) > MaxBody {
		return errs.InvalidFields(op, map[string]string{"body": "portal.err_body_long"})
	}
	return nil
}

// check validates an article's text.
func check(in *ArticleInput) map[string]string {
	f := map[string]string{}
	in.Title, in.Summary = strings.TrimSpace(in.Title), strings.TrimSpace(in.Summary)
	in.Body = strings.TrimSpace(strings.ReplaceAll(in.Body, "\r\n", "\n"))
	if !slices.Contains(Categories, in.Category) {
		f["category"] = "err.invalid_choice"
	}
	switch {
	case in.Title == "":
		f["title"] = "err.required"
	case !form.TextOK(in.Title, MaxTitle):
		f["title"] = "err.too_long"
	}
	if !form.TextOK(in.Summary, MaxSummary) {
		f["summary"] = "err.too_long"
	}
	switch {
	case in.Body == "":
		f["body"] = "err.required"
	case !utf8.ValidString(in.Body) || len(in.Body) > MaxBody:
		f["body"] = "portal.err_body_long"
	}
	if in.Category == CatReunion && !in.Consent {
		f["consent"] = "portal.err_consent_family"
	}
	return f
}

// Save writes a new article (articleID "") or a new text of a draft,
// pending or withdrawn one, which goes back to draft. version is the
// version the writer edited (0 for a new one).
func (s *Service) Save(ctx context.Context, a auth.Actor, articleID string, version int, in ArticleInput) (*Article, error) {
	const op = "portal.Save"
	if err := a.Require(op, auth.PermPublicityWrite); err != nil {
		return nil, err
	}
	if f := check(&in); len(f) > 0 {
		if len(in.Image) > 0 && photo.Kind(in.Image) != "jpeg" && photo.Kind(in.Image) != "png" && photo.Kind(in.Image) != "webp" {
			f["image"] = "portal.err_image_format"
		}
		return nil, errs.InvalidFields(op, f)
	}
	now := s.Now().UTC()
	if articleID == "" {
		if err := s.addImage(ctx, op, &in); err != nil {
			return nil, err
		}
		ar := &Article{ID: id.New(), Category: in.Category, Title: in.Title, Summary: in.Summary, Body: in.Body,
			Consent: in.Consent, State: StateDraft, Version: 1, PublishAt: in.PublishAt.UTC(), CreatedBy: a.Name, CreatedAt: now, UpdatedAt: now, EditedBy: a.Name}
		ar.Slug = now.In(cst).Format("20060102") + "-" + ar.ID[len(ar.ID)-10:] // the random end of the UUIDv7
		return ar, s.Store.AddArticle(ctx, ar, a.Entry("article.create", "article", ar.ID))
	}
	ar, err := s.Store.ArticleByID(ctx, articleID)
	if err != nil {
		return nil, err
	}
	if ar.Version != version {
		return nil, errs.E(errs.Conflict, op, "portal.err_stale")
	}
	if ar.State == StateApproved {
		return nil, errs.E(errs.Conflict, op, "portal.err_published")
	}
	if err := s.addImage(ctx, op, &in); err != nil {
		return nil, err
	}
	ar.Category, ar.Title, ar.Summary, ar.Body, ar.Consent = in.Category, in.Title, in.Summary, in.Body, in.Consent
	ar.PublishAt = in.PublishAt.UTC()
	ar.State, ar.Version, ar.UpdatedAt = StateDraft, ar.Version+1, now
	ar.SubmittedBy, ar.SubmittedAt, ar.ApprovedBy, ar.ApprovedAt = "", time.Time{}, "", time.Time{}
	ar.EditedBy = a.Name
	return ar, s.Store.UpdateArticle(ctx, ar, true, a.Entry("article.edit", "article", ar.ID))
}

// step loads an article of the version the user saw, in one of the
// states from, for a state change.
func (s *Service) step(ctx context.Context, op, articleID string, version int, from ...string) (*Article, error) {
	ar, err := s.Store.ArticleByID(ctx, articleID)
	if err != nil {
		return nil, err
	}
	if ar.Version != version {
		return nil, errs.E(errs.Conflict, op, "portal.err_stale")
	}
	if !slices.Contains(from, ar.State) {
		return nil, errs.E(errs.Conflict, op, "portal.err_state")
	}
	ar.Version++
	ar.UpdatedAt = s.Now().UTC()
	return ar, nil
}

// Submit sends a draft to a leader for approval.
func (s *Service) Submit(ctx context.Context, a auth.Actor, articleID string, version int) (*Article, error) {
	const op = "portal.Submit"
	if err := a.Require(op, auth.PermPublicityWrite); err != nil {
		return nil, err
	}
	ar, err := s.step(ctx, op, articleID, version, StateDraft)
	if err != nil {
		return nil, err
	}
	ar.State, ar.SubmittedBy, ar.SubmittedAt = StatePending, a.Name, ar.UpdatedAt
	return ar, s.Store.UpdateArticle(ctx, ar, false, a.Entry("article.submit", "article", ar.ID))
}

// Approve publishes a submitted article: at once, or at its publishing
// time when that is later.
func (s *Service) Approve(ctx context.Context, a auth.Actor, articleID string, version int) (*Article, error) {
	const op = "portal.Approve"
	if err := a.Require(op, auth.PermPublicityApprove); err != nil {
		return nil, err
	}
	ar, err := s.step(ctx, op, articleID, version, StatePending)
	if err != nil {
		return nil, err
	}
	ar.State, ar.ApprovedBy, ar.ApprovedAt = StateApproved, a.Name, ar.UpdatedAt
	if ar.PublishAt.IsZero() || ar.PublishAt.Before(ar.UpdatedAt) {
		ar.PublishAt = ar.UpdatedAt
	}
	return ar, s.Store.UpdateArticle(ctx, ar, false, a.Entry("article.approve", "article", ar.ID))
}

// Return sends a submitted article back to its writer as a draft.
func (s *Service) Return(ctx context.Context, a auth.Actor, articleID string, version int) (*Article, error) {
	const op = "portal.Return"
	if err := a.Require(op, auth.PermPublicityApprove); err != nil {
		return nil, err
	}
	ar, err := s.step(ctx, op, articleID, version, StatePending)
	if err != nil {
		return nil, err
	}
	ar.State, ar.SubmittedBy, ar.SubmittedAt = StateDraft, "", time.Time{}
	return ar, s.Store.UpdateArticle(ctx, ar, false, a.Entry("article.return", "article", ar.ID))
}

// Withdraw takes an article off the site (or out of the queue) with a
// reason: it leaves the pages, the feed and the sitemap.
func (s *Service) Withdraw(ctx context.Context, a auth.Actor, articleID string, version int, reason string) (*Article, error) {
	const op = "portal.Withdraw"
	if err := a.RequireAny(op, auth.PermPublicityWrite, auth.PermPublicityApprove); err != nil {
		return nil, err
	}
	reason = strings.TrimSpace(reason)
	switch {
	case reason == "":
		return nil, errs.InvalidFields(op, map[string]string{"reason": "err.required"})
	case !form.TextOK(reason, 200):
		return nil, errs.InvalidFields(op, map[string]string{"reason": "err.too_long"})
	}
	ar, err := s.step(ctx, op, articleID, version, StateApproved, StatePending, StateDraft)
	if err != nil {
		return nil, err
	}
	ar.State, ar.WithdrawnBy, ar.WithdrawnAt, ar.WithdrawReason = StateWithdrawn, a.Name, ar.UpdatedAt, reason
	return ar, s.Store.UpdateArticle(ctx, ar, false, a.Entry("article.withdraw", "article", ar.ID))
}

// All lists every article for staff, newest first.
func (s *Service) All(ctx context.Context, a auth.Actor) ([]*Article, error) {
	if err := a.RequireAny("portal.All", auth.PermPublicityWrite, auth.PermPublicityApprove); err != nil {
		return nil, err
	}
	return s.Store.Articles(ctx, time.Time{})
}

// Article is one article with its versions, for staff.
func (s *Service) Article(ctx context.Context, a auth.Actor, articleID string) (*Article, error) {
	if err := a.RequireAny("portal.Article", auth.PermPublicityWrite, auth.PermPublicityApprove); err != nil {
		return nil, err
	}
	ar, err := s.Store.ArticleByID(ctx, articleID)
	if err != nil {
		return nil, err
	}
	ar.Versions, err = s.Store.ArticleVersions(ctx, articleID)
	return ar, err
}

// Published lists the articles on the public site now, newest first; a
// category narrows it ("" for all).
func (s *Service) Published(ctx context.Context, category string) ([]*Article, error) {
	all, err := s.Store.Articles(ctx, s.Now().UTC())
	if err != nil || category == "" {
		return all, err
	}
	return slices.DeleteFunc(all, func(a *Article) bool { return a.Category != category }), nil
}

// PublicArticle is a published article by its address; NotFound for one
// not (or no longer) public.
func (s *Service) PublicArticle(ctx context.Context, slug string) (*Article, error) {
	ar, err := s.Store.ArticleBySlug(ctx, slug)
	if err != nil {
		return nil, err
	}
	if !ar.PublicAt(s.Now()) {
		return nil, errs.E(errs.NotFound, "portal.PublicArticle", "err.not_found")
	}
	return ar, nil
}

// cst is China time, the calendar of dates on pages and in addresses.
var cst = time.FixedZone("CST", 8*3600)

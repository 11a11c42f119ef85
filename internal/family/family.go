// Package family is family search (寻亲, DESIGN.md §3.6): missing-person
// reports from families, police and other stations; two-sided matching of
// the people a station helps against those reports and against earlier
// records, with an explanation per field; the staff's review (confirm,
// reject, defer); consent not to be matched publicly; public notices with
// minimal disclosure; and PFIF 1.4 interchange. The matching itself is
// package tracing.
package family

import (
	"context"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/events"
)

// Where a report came from.
const (
	SourceFamily  = "family"  // the public form
	SourcePolice  = "police"  // a police system, by API key
	SourceStation = "station" // another station's records (PFIF import)
	SourceStaff   = "staff"   // entered by staff (a visit or a call)
)

// Sources lists the report sources.
var Sources = []string{SourceFamily, SourcePolice, SourceStation, SourceStaff}

// Report statuses.
const (
	StatusOpen      = "open"      // being searched for
	StatusReview    = "review"    // a possible match is under review
	StatusFound     = "found"     // confirmed: the person was found
	StatusWithdrawn = "withdrawn" // withdrawn by the family or staff
)

// Report is a missing-person report (寻人登记).
type Report struct {
	ID              string
	Ref             string // XR-… the family's reference number
	Source          string
	SourceOrg       string // the police system's key name, the station's name
	ExternalID      string // the sender's own reference (police, stations)
	Status          string
	Name            string
	Aliases         string
	Sex             cases.Sex
	BirthDate       string // YYYY-MM-DD or YYYY
	AgeMin, AgeMax  int    // age when lost, when the birth date is unknown
	HeightCm        int
	IDSealed        string // ID number, full or partial (sealed "reports.id_number")
	NativePlace     string
	Dialect         string
	LostOn          string // YYYY-MM-DD
	LostPlace       string
	Features        string // 体貌特征: scars, marks, build
	Description     string // clothing, habits, anything else the family adds
	Photo           string
	ContactName     string
	ContactRelation string
	ContactSealed   string // the family's phone (sealed "reports.contact_phone")
	Private         bool   // do not match publicly: only the station's own records
	PersonID        string // the person found
	Version         int
	CreatedAt       time.Time
	UpdatedAt       time.Time
	CreatedBy       string
}

// External reports whether the report came from outside the station
// (police, other stations): a private person is not matched against it.
func (r *Report) External() bool { return r.Source == SourcePolice || r.Source == SourceStation }

// Active reports whether the report is still being searched for.
func (r *Report) Active() bool { return r.Status == StatusOpen || r.Status == StatusReview }

// Update is one entry of a report's history. Public entries are what the
// family sees on the progress page.
type Update struct {
	ID       string
	ReportID string
	At       time.Time
	Kind     string // filed, candidate, found, withdrawn, note
	Text     string
	Public   bool
	ByName   string
}

// Candidate states.
const (
	Proposed  = "proposed"
	Deferred  = "deferred"
	Confirmed = "confirmed"
	Rejected  = "rejected"
	Closed    = "closed" // the other side was confirmed with someone else
)

// Candidate pairs a person with a report or an earlier record.
type Candidate struct {
	ID          string
	PersonID    string
	ReportID    string // one of ReportID
	OtherID     string // and OtherID
	Score       float64
	Probability float64
	Label       string
	Levels      []int // per tracing.Fields
	State       string
	Note        string
	DecidedBy   string
	DecidedAt   time.Time
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// Target is the candidate's other side as stored: "r:<report>" or "p:<person>".
func (c *Candidate) Target() string {
	if c.ReportID != "" {
		return "r:" + c.ReportID
	}
	return "p:" + c.OtherID
}

// Notice states.
const (
	NoticePublished = "published"
	NoticeReunited  = "reunited" // the person went home: name and photo hidden
	NoticeWithdrawn = "withdrawn"
)

// Notice is a public 寻亲公告 with only the public fields, the ones the
// national 全国救助寻亲网 shows: never an ID number, a phone or health
// details.
type Notice struct {
	ID          string
	Ref         string // XQ-…
	PersonID    string
	StayID      string
	State       string
	Sex         cases.Sex
	AgeMin      int // estimated age when found
	AgeMax      int
	HeightCm    int
	Accent      string
	Region      string // GB/T 2260 code of the accent's region, for search
	FoundOn     string // YYYY-MM-DD
	FoundPlace  string
	Features    string // 体貌特征 as staff wrote them for the notice
	Clothing    string
	Speech      string // "", "unclear" (may not express themselves)
	Name        string // the name the person gave, if any
	Photo       string
	PublishedAt time.Time
	ExpiresAt   time.Time
	UpdatedAt   time.Time
	ByName      string
}

// Shown reports whether the notice is on the public pages at now:
// published or reunited, until it expires.
func (n *Notice) Shown(now time.Time) bool {
	return (n.State == NoticePublished || n.State == NoticeReunited) && now.Before(n.ExpiresAt)
}

// Expired reports whether the notice ran past its expiry.
func (n *Notice) Expired(now time.Time) bool { return !now.Before(n.ExpiresAt) }

// NoticeFilter selects public notices.
type NoticeFilter struct {
	Text           string // words anywhere in the notice: its number, accent, place found, features, clothing
	Sex            cases.Sex
	AgeMin, AgeMax int    // overlap with the estimate
	Accent         string // text in the accent
	Region         string // GB/T 2260 prefix
	From, To       string // found between, YYYY-MM-DD
	Now            time.Time
	Limit          int
}

// ReportFilter selects reports for staff.
type ReportFilter struct {
	Status string
	Source string
	Limit  int
}

// Store keeps family search's records.
type Store interface {
	AddReport(ctx context.Context, r *Report, u *Update, e audit.Entry) error
	// AddReports stores a batch in one transaction: all or nothing.
	// Exists when a (source_org, external_id) pair is known.
	AddReports(ctx context.Context, rs []*Report, us []*Update, e audit.Entry) error
	ReportByID(ctx context.Context, id string) (*Report, error)
	ReportByRef(ctx context.Context, ref string) (*Report, error)
	ReportByExternal(ctx context.Context, org, externalID string) (*Report, error)
	Reports(ctx context.Context, f ReportFilter) ([]*Report, error)
	// ReportsSince lists reports changed after c, oldest change first.
	ReportsSince(ctx context.Context, c Cursor, limit int) ([]*Report, error)
	// PeerStatus is where pulling from a peer stands (zero when never
	// pulled); SavePeerStatus keeps it.
	PeerStatus(ctx context.Context, name string) (PeerStatus, error)
	SavePeerStatus(ctx context.Context, st PeerStatus) error
	// ActiveReports lists the reports being searched for.
	ActiveReports(ctx context.Context) ([]*Report, error)
	// UpdateReport saves status and person, version-checked, with an
	// optional history entry.
	UpdateReport(ctx context.Context, r *Report, u *Update, e audit.Entry) error
	Updates(ctx context.Context, reportID string, publicOnly bool) ([]*Update, error)

	// SaveCandidates upserts the proposals found (a pair already decided
	// keeps its state) and removes those of gone (by person and target)
	// that are still only proposed.
	SaveCandidates(ctx context.Context, found, gone []*Candidate) error
	// ReplaceCandidates upserts found and removes every other proposal
	// still only proposed: after matching everything.
	ReplaceCandidates(ctx context.Context, found []*Candidate) error
	// OpenCandidateReports tells which of the reports (nil: any) have a
	// proposed or deferred candidate.
	OpenCandidateReports(ctx context.Context, reportIDs []string) (map[string]bool, error)
	Candidates(ctx context.Context, states []string, personID, reportID string) ([]*Candidate, error)
	// CandidatesPage lists a page of the candidates in states, most
	// probable first.
	CandidatesPage(ctx context.Context, states []string, limit, offset int) ([]*Candidate, error)
	CandidateByID(ctx context.Context, id string) (*Candidate, error)
	// Decide records a decision on c (version by updated_at), and closes
	// the other open candidates of both sides when confirming.
	Decide(ctx context.Context, c *Candidate, closeOthers bool, e audit.Entry) error
	// Confirm records a confirmed match: the candidate, the report found,
	// the person identified, other candidates of both closed, the notices
	// of the person reunited, in one transaction.
	Confirm(ctx context.Context, c *Candidate, r *Report, p *cases.Person, u *Update, at time.Time, e audit.Entry) error

	// SubjectsAfter lists the person records not merged away, with their
	// latest stay and consent (what matching searches), by id: those
	// among the limit records after the id after. last is the last record
	// read ("" when there were none): the next page is after it.
	SubjectsAfter(ctx context.Context, after string, limit int) (subjects []*Subject, last string, err error)
	// SubjectsOf lists the subjects among personIDs, as Subjects does;
	// records merged away or unknown are left out.
	SubjectsOf(ctx context.Context, personIDs []string) ([]*Subject, error)
	// ReportsByIDs lists the reports among ids.
	ReportsByIDs(ctx context.Context, ids []string) ([]*Report, error)

	// MatchChanges lists, by id, up to limit events after after and up to
	// through of the topics that change matching (events.TopicPerson,
	// TopicReport, TopicMatch).
	MatchChanges(ctx context.Context, after, through int64, limit int) ([]events.Event, error)
	// LastEventID returns the newest event id, 0 for none.
	LastEventID(ctx context.Context) (int64, error)
	// SetMatchedThrough records that proposals are up to date with the
	// events up to seq.
	SetMatchedThrough(ctx context.Context, seq int64) error
	// MatchPending reports whether the record has an event of topic after
	// the matched mark.
	MatchPending(ctx context.Context, topic, recordID string) (bool, error)
	// AskRematch logs an event asking for everything to be matched again.
	AskRematch(ctx context.Context, e audit.Entry) error
	// TryLease takes or renews the named lease for holder (see store).
	TryLease(ctx context.Context, name, holder string, ttl time.Duration) (bool, error)

	SetConsent(ctx context.Context, personID, reason, by string, at time.Time, private bool, e audit.Entry) error
	PrivatePeople(ctx context.Context) (map[string]bool, error)

	AddNotice(ctx context.Context, n *Notice, e audit.Entry) error
	NoticeByRef(ctx context.Context, ref string) (*Notice, error)
	NoticesOf(ctx context.Context, personID string) ([]*Notice, error)
	PublicNotices(ctx context.Context, f NoticeFilter) ([]*Notice, error)
	// SetNoticeState withdraws or marks reunited every notice of a person
	// not already in that state.
	SetNoticeState(ctx context.Context, personID, state string, at time.Time, e audit.Entry) error
}

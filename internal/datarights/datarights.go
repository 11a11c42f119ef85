// Package datarights is what Haven does for the Personal Information
// Protection Law (PIPL, 个人信息保护法): a lawful request to export or to
// erase one person's data, made by one person and approved by another;
// and retention, which anonymises what is kept longer than needed while
// keeping the rows statistics count.
package datarights

import (
	"context"
	"time"

	"github.com/havenrescue/haven/internal/audit"
)

// Kind is what a request asks for.
type Kind string

const (
	KindExport Kind = "export" // a copy of everything held about the person
	KindErase  Kind = "erase"  // anonymise the person's record now
)

// Kinds lists the request kinds.
var Kinds = []Kind{KindExport, KindErase}

// Decisions on a request.
const (
	Pending  = ""
	Approved = "approved"
	Refused  = "refused"
)

// Request is one lawful request about one person.
type Request struct {
	ID              string
	Kind            Kind
	PersonID        string
	PersonRef       string // the person's RY-… reference, for lists
	Reason          string // the legal basis and why
	RequestedBy     string // user id
	RequestedByName string
	RequestedAt     time.Time
	DecidedBy       string
	DecidedByName   string
	DecidedAt       time.Time
	Decision        string
	DecisionNote    string
	ExpiresAt       time.Time // an approved export can be downloaded until then
	DoneAt          time.Time // first download, or when the erasure ran
}

// State names where the request stands, for display.
func (r *Request) State(now time.Time) string {
	switch {
	case r.Decision == Refused:
		return "refused"
	case r.Decision == Pending:
		return "pending"
	case r.Kind == KindExport && !r.ExpiresAt.IsZero() && !now.Before(r.ExpiresAt):
		return "expired"
	case !r.DoneAt.IsZero():
		return "done"
	}
	return "approved"
}

// Table is the rows one table holds about a person, column by column as
// stored (sealed values still sealed).
type Table struct {
	Name string
	Rows []map[string]any
}

// Retention kinds: what the retention job anonymises once it is due.
const (
	RetainSignalPhone = "signal_phone"    // reporter's name and callback phone on signals of closed incidents
	RetainPhotos      = "person_photo"    // admission, belongings, notice and encounter photos of people who left
	RetainIdentity    = "person_identity" // name, ID number, relatives' names and phones … of people who left
	RetainHealth      = "health_notes"    // health-check findings and medication notes of people who left
)

// Placeholder replaces a name that was anonymised.
const Placeholder = "已匿名"

// Store is what data rights need from the database.
type Store interface {
	// AddDataRequest saves a new request with its audit entry.
	AddDataRequest(ctx context.Context, r *Request, e audit.Entry) error
	// DataRequestByID returns errs.NotFound when there is none.
	DataRequestByID(ctx context.Context, id string) (*Request, error)
	// DataRequests lists requests, newest first.
	DataRequests(ctx context.Context, limit int) ([]*Request, error)
	// DecideDataRequest records r's decision; errs.Conflict when someone
	// decided it already.
	DecideDataRequest(ctx context.Context, r *Request, e audit.Entry) error
	// MarkDataRequestDone sets done_at once (later calls keep the first)
	// and appends e.
	MarkDataRequestDone(ctx context.Context, id string, at time.Time, e audit.Entry) error
	// PersonIDByRef finds a person by id or RY-… reference; errs.NotFound.
	PersonIDByRef(ctx context.Context, ref string) (string, error)
	// PersonInCare reports whether the person (or a record linked to it)
	// has an open stay.
	PersonInCare(ctx context.Context, personID string) (bool, error)
	// PersonRecords returns every row held about the person and the records
	// merged into it, table by table, with the audit of them.
	PersonRecords(ctx context.Context, personID string) ([]Table, error)
	// DueForRetention lists the ids (signals or people) the retention kind
	// applies to at cutoff, among the records finished since since (all of
	// them when since is zero).
	DueForRetention(ctx context.Context, kind string, since, cutoff time.Time) ([]string, error)
	// RetentionMark is the cutoff of the kind's last complete run (zero
	// before the first); SetRetentionMark records a new one.
	RetentionMark(ctx context.Context, kind string) (time.Time, error)
	SetRetentionMark(ctx context.Context, kind string, cutoff time.Time) error
	// ApplyRetention anonymises one record for kind, appends e in the same
	// transaction, and returns the photo files no row names any more.
	// RetainIdentity returns errs.Conflict for a person in care.
	ApplyRetention(ctx context.Context, kind, recordID string, at time.Time, e audit.Entry) ([]string, error)
}

// Photos reads and deletes uploaded photos (files.Store). Delete of a
// missing file is not an error.
type Photos interface {
	Get(ctx context.Context, name string) ([]byte, error)
	Delete(ctx context.Context, name string) error
}

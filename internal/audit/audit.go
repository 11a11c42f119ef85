// Package audit defines Haven's append-only audit log: who did what to which
// record, when and from where. Every change and every read of a person's
// personal data writes one entry. Entries name records by id and never hold
// personal data themselves.
package audit

import (
	"context"
	"regexp"
	"time"
)

// Entry is one audit row.
type Entry struct {
	ID         string
	At         time.Time
	ActorID    string // user id, or api key id for partner systems; empty for anonymous
	ActorName  string // username or key name at the time of the action
	Action     string // e.g. "user.create", "user.view", "auth.login_failed"
	RecordType string // e.g. "user", "department", "api_key"
	RecordID   string
	IP         string
	Detail     string // names of changed fields or a short reason; never personal data
}

// Filter selects entries for browsing; zero fields match everything.
type Filter struct {
	Actor      string // matches ActorName exactly
	Action     string // exact, or a prefix ending in "." (e.g. "user.")
	RecordType string
	RecordID   string
	Since      time.Time
	Until      time.Time
	Limit      int    // default 100, at most 1000
	Before     string // entry id: page backwards from here (ids sort by time)
}

// Store keeps the log. Implementations must never update or delete entries.
type Store interface {
	// AppendAudit writes e. It fills ID and At when empty.
	AppendAudit(ctx context.Context, e Entry) error
	// ListAudit returns entries matching f, newest first.
	ListAudit(ctx context.Context, f Filter) ([]Entry, error)
	// RecordLabels names records for a reader of the log, by id: a
	// person's or an incident's code, a username, a team's name. Ids it
	// does not know are left out.
	RecordLabels(ctx context.Context, ids []string) (map[string]string, error)
}

var uuidPattern = regexp.MustCompile(`[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}`)

// IDs lists the record ids an entry points at: its record and any id
// its detail names ("team 01…").
func (e Entry) IDs() []string {
	var out []string
	if e.RecordID != "" {
		out = append(out, e.RecordID)
	}
	return append(out, uuidPattern.FindAllString(e.Detail, -1)...)
}

// IsID reports whether s is a record id (a UUID), not a code a person reads.
func IsID(s string) bool { return len(s) == 36 && uuidPattern.MatchString(s) }

// Actions recorded by the foundation. Later capabilities add their own.
const (
	ActionLogin          = "auth.login"
	ActionLoginFailed    = "auth.login_failed"
	ActionThrottled      = "auth.throttled" // a failed sign-in started a back-off (detail: scope, count, wait)
	ActionLogout         = "auth.logout"
	ActionPasswordChange = "auth.password_change"
	ActionLanguage       = "user.language"
	ActionUserCreate     = "user.create"
	ActionUserUpdate     = "user.update"
	ActionUserView       = "user.view"
	ActionUserDisable    = "user.disable"
	ActionUserEnable     = "user.enable"
	ActionUserPassword   = "user.password_reset"
	ActionDeptCreate     = "department.create"
	ActionKeyCreate      = "api_key.create"
	ActionKeyRevoke      = "api_key.revoke"
	ActionAuditView      = "audit.view"
	ActionFieldsRekey    = "secret.rekey"
)

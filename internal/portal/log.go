package portal

import (
	"context"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/form"
	"github.com/havenrescue/haven/internal/id"
)

// Kinds of publicity work.
const (
	LogActivity  = "activity"  // an activity at a station, community, school or railway station
	LogMaterials = "materials" // leaflets and help cards with the hotline handed out
	LogMedia     = "media"     // a newspaper page, WeChat post or TV report
)

// LogKinds lists the kinds in display order.
var LogKinds = []string{LogActivity, LogMaterials, LogMedia}

// LogEntry is one piece of publicity work (宣传).
type LogEntry struct {
	ID, Kind  string
	OnDate    string // YYYY-MM-DD, China time
	Place     string // where, or the outlet of a media report
	Title     string
	Link      string // a media report's address
	Materials int    // leaflets and help cards handed out
	Audience  int    // people reached
	CreatedBy string
	CreatedAt time.Time
}

// LogStore keeps the publicity work log.
type LogStore interface {
	AddLogEntry(ctx context.Context, l *LogEntry, e audit.Entry) error
	LogEntries(ctx context.Context) ([]*LogEntry, error) // newest day first
}

// LogTotals are the log's counts for the statistics.
type LogTotals struct {
	Activities, MediaReports, Materials, Audience int
}

// Totals adds up the log's entries.
func Totals(ls []*LogEntry) LogTotals {
	var t LogTotals
	for _, l := range ls {
		switch l.Kind {
		case LogActivity:
			t.Activities++
		case LogMedia:
			t.MediaReports++
		}
		t.Materials += l.Materials
		t.Audience += l.Audience
	}
	return t
}

// AddLog records a piece of publicity work.
func (s *Service) AddLog(ctx context.Context, a auth.Actor, l LogEntry) (*LogEntry, error) {
	const op = "portal.AddLog"
	if err := a.Require(op, auth.PermPublicityWrite); err != nil {
		return nil, err
	}
	f := map[string]string{}
	l.Place, l.Title, l.Link = strings.TrimSpace(l.Place), strings.TrimSpace(l.Title), strings.TrimSpace(l.Link)
	if !slices.Contains(LogKinds, l.Kind) {
		f["kind"] = "err.invalid_choice"
	}
	if d, err := time.ParseInLocation(time.DateOnly, l.OnDate, cst); err != nil {
		f["on_date"] = "err.date"
	} else if d.After(s.Now()) {
		f["on_date"] = "portal.err_future"
	}
	for k, v := range map[string]string{"place": l.Place, "title": l.Title} {
		switch {
		case v == "":
			f[k] = "err.required"
		case !form.TextOK(v, 200):
			f[k] = "err.too_long"
		}
	}
	if l.Link != "" {
		if u, err := url.Parse(l.Link); err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || len(l.Link) > 500 {
			f["link"] = "portal.err_link"
		}
	}
	if l.Materials < 0 || l.Materials > 1_000_000 {
		f["materials"] = "err.invalid"
	}
	if l.Audience < 0 || l.Audience > 10_000_000 {
		f["audience"] = "err.invalid"
	}
	if len(f) > 0 {
		return nil, errs.InvalidFields(op, f)
	}
	l.ID, l.CreatedBy, l.CreatedAt = id.New(), a.Name, s.Now().UTC()
	return &l, s.Store.AddLogEntry(ctx, &l, a.Entry("publicity.log", "publicity_log", l.ID))
}

// Log lists the publicity work log.
func (s *Service) Log(ctx context.Context, a auth.Actor) ([]*LogEntry, error) {
	if err := a.RequireAny("portal.Log", auth.PermPublicityWrite, auth.PermPublicityApprove); err != nil {
		return nil, err
	}
	return s.Store.LogEntries(ctx)
}

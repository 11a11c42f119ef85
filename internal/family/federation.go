package family

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
)

// Federation: each province runs its own Haven, and family search reaches
// across them (docs/scale.md). An instance serves the reports it may
// share, oldest change first, to partner systems holding a family.read
// key (GET /api/v1/pfif); a peer pulls them page by page from where it
// left off and imports them as reports from another station, which its
// own engine then matches against its own people.

// Cursor is where a pull stands: the last report change read (its time and
// id, for changes in the same instant).
type Cursor struct {
	At time.Time
	ID string
}

// Encode is the cursor as a query (since=…&after=…).
func (c Cursor) Encode() string {
	if c.At.IsZero() {
		return ""
	}
	return url.Values{"since": {c.At.UTC().Format(time.RFC3339Nano)}, "after": {c.ID}}.Encode()
}

// ParseCursor reads a cursor from a query; both parts empty is the start.
func ParseCursor(q url.Values) (Cursor, error) {
	since, after := q.Get("since"), q.Get("after")
	if since == "" {
		if after != "" {
			return Cursor{}, errs.InvalidFields("family.ParseCursor", map[string]string{"since": "err.required"})
		}
		return Cursor{}, nil
	}
	t, err := time.Parse(time.RFC3339Nano, since)
	if err != nil || len(after) > 64 {
		return Cursor{}, errs.InvalidFields("family.ParseCursor", map[string]string{"since": "err.cursor"})
	}
	return Cursor{At: t.UTC(), ID: after}, nil
}

// PeerPageSize is how many reports one page of the feed holds at most.
const PeerPageSize = 200

// ExportSince is one page of the shareable reports changed after c: the
// document, the cursor of the next page and whether more may follow. The
// cursor moves past reports that are not shared (private, withdrawn), so
// a peer never asks for them again.
func (s *Service) ExportSince(ctx context.Context, a auth.Actor, c Cursor, limit int) (*PFIFDoc, Cursor, bool, error) {
	const op = "family.ExportSince"
	if !a.Can(auth.PermFamilyManage) && !slices.Contains(a.Scopes, "family.read") {
		return nil, c, false, errs.E(errs.Forbidden, op, "err.forbidden")
	}
	if limit <= 0 || limit > PeerPageSize {
		limit = PeerPageSize
	}
	reports, err := s.Store.ReportsSince(ctx, c, limit)
	if err != nil {
		return nil, c, false, err
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("pfif.export", "report", "")); err != nil {
		return nil, c, false, errs.Wrap(errs.Internal, op, err)
	}
	doc, domain := &PFIFDoc{}, s.domain()
	for _, r := range reports {
		if p, ok := s.reportPerson(r, domain); ok {
			doc.Persons = append(doc.Persons, p)
		} else if p, ok := s.tombstone(r, domain); ok {
			doc.Persons = append(doc.Persons, p)
		}
		c = Cursor{At: r.UpdatedAt.UTC(), ID: r.ID}
	}
	return doc, c, len(reports) == limit, nil
}

// tombstone is what the feed serves for a report of this station that
// was shared and is now withdrawn: its record id and an expiry date (PFIF's
// way of saying "delete this record"), so that peers stop searching for
// it, and nothing about the person. A private report was never shared and
// gets none; a report from another station is withdrawn here only, its
// own station speaks for it.
func (s *Service) tombstone(r *Report, domain string) (PFIFPerson, bool) {
	rid := reportRecordID(r, domain)
	if r.Private || r.Status != StatusWithdrawn || !strings.HasPrefix(rid, domain+"/") {
		return PFIFPerson{}, false
	}
	at := pfifAt(r.UpdatedAt)
	return PFIFPerson{RecordID: rid, EntryDate: pfifAt(r.CreatedAt), ExpiryDate: at, AuthorName: s.Station.Name, SourceName: s.Station.Name,
		SourceDate: at, FullName: r.Ref}, true
}

// applyPeerChange brings a report imported from another station up to
// date with what that station serves now: withdrawn (the record has
// expired) or found there (a note says its author made contact), the
// report is withdrawn here too and its proposals close; edited, the
// changed fields are taken and the report is matched again. It reports
// whether anything changed; the same version served twice changes
// nothing.
func (s *Service) applyPeerChange(ctx context.Context, a auth.Actor, r *Report, p map[string]string, notes []map[string]string, now time.Time) (bool, error) {
	if r.Source != SourceStation || r.ExternalID != p["person_record_id"] || !r.Active() {
		return false, nil
	}
	org := firstOf(p["source_name"], r.SourceOrg)
	closing := ""
	if exp, err := time.Parse(pfifTime, p["expiry_date"]); err == nil && !exp.After(now) {
		closing = org + "已撤回此寻人登记。"
	}
	for _, n := range notes {
		if n["author_made_contact"] == "true" && n["status"] == "believed_alive" && n["linked_person_record_id"] != "" {
			closing = org + "已找到此人，由其负责联系家属。"
		}
	}
	if closing != "" {
		r.Status, r.UpdatedAt = StatusWithdrawn, now
		u := &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: "withdrawn", Text: closing, Public: true, ByName: a.Name}
		if err := s.Store.UpdateReport(ctx, r, u, a.Entry("report.withdraw", "report", r.ID)); err != nil {
			return false, err
		}
		return true, s.closeProposals(ctx, "", r.ID)
	}
	in := pfifReport(r.SourceOrg, p, notes)
	fresh, f := s.check(ctx, in, now)
	if len(f) > 0 {
		return false, nil // the stored version stands; the source's next change may mend it
	}
	before := *r
	r.Name, r.Aliases, r.Sex, r.BirthDate = fresh.Name, fresh.Aliases, fresh.Sex, fresh.BirthDate
	r.AgeMin, r.AgeMax, r.Description, r.NativePlace = fresh.AgeMin, fresh.AgeMax, fresh.Description, fresh.NativePlace
	if fresh.LostPlace != "" {
		r.LostPlace = fresh.LostPlace
	}
	if *r == before {
		return false, nil
	}
	r.UpdatedAt = now
	u := &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: "note", Text: org + "更新了登记内容。", ByName: a.Name}
	return true, s.Store.UpdateReport(ctx, r, u, a.Entry("report.update", "report", r.ID))
}

// Peer is another Haven (or any PFIF 1.4 source serving the same feed)
// whose reports this instance pulls.
type Peer struct {
	Name string // how staff know it: 郑州市救助管理站
	URL  string // its base address: https://haven.zhengzhou.example
	Key  string // an API key it issued to this instance, with family.read
}

// PeerStatus is what the last pull from a peer did.
type PeerStatus struct {
	Name     string
	Cursor   Cursor
	PulledAt time.Time
	Added    int
	Error    string
}

// maxPeerPage bounds a page's body before it is parsed.
const maxPeerPage = 16 << 20

// peerActor files what peers send: a system account of family search.
var peerActor = auth.Actor{Name: "联网寻亲", Username: "haven.federation", Role: auth.RoleStaff, IP: "local"}

// Pull reads a peer's feed from where the last pull stopped, page by page
// (at most pages of them), and imports each page: persons it has not
// seen become reports, to be matched by this instance. The cursor is
// saved after each page, so a failure loses nothing and repeats nothing.
func (s *Service) Pull(ctx context.Context, client *http.Client, p Peer, pages int) (PeerStatus, error) {
	const op = "family.Pull"
	st, err := s.Store.PeerStatus(ctx, p.Name)
	if err != nil {
		return st, err
	}
	st.Name, st.Added, st.Error = p.Name, 0, ""
	for range pages {
		doc, next, more, err := s.fetchPage(ctx, client, p, st.Cursor)
		if err != nil {
			st.Error, st.PulledAt = err.Error(), s.now()
			if serr := s.Store.SavePeerStatus(ctx, st); serr != nil {
				return st, serr
			}
			return st, errs.Wrap(errs.Unavailable, op, err)
		}
		if len(doc) > 0 {
			res, err := s.Import(ctx, peerActor, doc, true)
			if err != nil {
				return st, err
			}
			st.Added += res.Added
		}
		st.Cursor, st.PulledAt = next, s.now()
		if err := s.Store.SavePeerStatus(ctx, st); err != nil {
			return st, err
		}
		if !more {
			break
		}
	}
	return st, nil
}

// fetchPage gets one page: the PFIF document, the next cursor and whether
// more follow.
func (s *Service) fetchPage(ctx context.Context, client *http.Client, p Peer, c Cursor) ([]byte, Cursor, bool, error) {
	u := strings.TrimRight(p.URL, "/") + "/api/v1/pfif"
	if q := c.Encode(); q != "" {
		u += "?" + q
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, c, false, err
	}
	req.Header.Set("Authorization", "Bearer "+p.Key)
	req.Header.Set("Accept", "application/xml")
	res, err := client.Do(req)
	if err != nil {
		return nil, c, false, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, c, false, fmt.Errorf("%s answered %s", p.Name, res.Status)
	}
	if res.ContentLength > maxPeerPage {
		return nil, c, false, fmt.Errorf("%s sent a page of %d bytes", p.Name, res.ContentLength)
	}
	body, err := io.ReadAll(io.LimitReader(res.Body, maxPeerPage+1))
	if err != nil {
		return nil, c, false, err
	}
	if len(body) > maxPeerPage {
		return nil, c, false, fmt.Errorf("%s sent a page over %d bytes", p.Name, maxPeerPage)
	}
	next, err := ParseCursor(mustQuery(res.Header.Get("X-Haven-Next")))
	if err != nil {
		return nil, c, false, fmt.Errorf("%s sent a bad cursor", p.Name)
	}
	if next.At.IsZero() {
		next = c // an empty feed: stay where we are
	}
	if next.At.Before(c.At) {
		return nil, c, false, errors.New(p.Name + " sent a cursor going back")
	}
	more, _ := strconv.ParseBool(res.Header.Get("X-Haven-More"))
	return body, next, more && next != c, nil
}

func mustQuery(s string) url.Values {
	q, err := url.ParseQuery(s)
	if err != nil {
		return url.Values{"since": {"bad"}}
	}
	return q
}

// RunPeers pulls from every peer now and then every interval, on the node
// holding the federation lease, until ctx ends.
func (s *Service) RunPeers(ctx context.Context, client *http.Client, peers []Peer, every time.Duration, onError func(Peer, error)) {
	holder := id.New()
	for {
		if lead, err := s.Store.TryLease(ctx, "family.peers", holder, 2*every); err == nil && lead {
			for _, p := range peers {
				if _, err := s.Pull(ctx, client, p, 50); err != nil && ctx.Err() == nil && onError != nil {
					onError(p, err)
				}
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(every):
		}
	}
}

// ParsePeers reads a peers file: one peer a line, its name, base address
// and API key separated by tabs; blank lines and lines starting with #
// are skipped. Every problem is named with its line.
func ParsePeers(r io.Reader) ([]Peer, error) {
	data, err := io.ReadAll(io.LimitReader(r, 1<<20+1))
	if err != nil {
		return nil, err
	}
	if len(data) > 1<<20 {
		return nil, errors.New("peers file: over 1 MiB")
	}
	var out []Peer
	seen := map[string]bool{}
	for i, line := range strings.Split(string(data), "\n") {
		if t := strings.TrimSpace(line); t == "" || strings.HasPrefix(t, "#") {
			continue
		}
		f := strings.Split(strings.TrimRight(line, "\r"), "\t")
		if len(f) != 3 {
			return nil, fmt.Errorf("peers file line %d: want name, address and key separated by tabs", i+1)
		}
		p := Peer{Name: strings.TrimSpace(f[0]), URL: strings.TrimSpace(f[1]), Key: strings.TrimSpace(f[2])}
		u, err := url.Parse(p.URL)
		switch {
		case p.Name == "":
			return nil, fmt.Errorf("peers file line %d: no name", i+1)
		case seen[p.Name]:
			return nil, fmt.Errorf("peers file line %d: %s is listed twice", i+1, p.Name)
		case err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.RawQuery != "" || u.Fragment != "":
			return nil, fmt.Errorf("peers file line %d: the address must be http(s)://host[/path]", i+1)
		case p.Key == "" || strings.ContainsAny(p.Key, " \r"):
			return nil, fmt.Errorf("peers file line %d: no API key", i+1)
		}
		seen[p.Name] = true
		out = append(out, p)
	}
	return out, nil
}

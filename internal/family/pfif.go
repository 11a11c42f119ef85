package family

import (
	"bytes"
	"context"
	"encoding/xml"
	"fmt"
	"io"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/cases"
	"github.com/havenrescue/haven/internal/errs"
	"github.com/havenrescue/haven/internal/id"
)

// PFIF 1.4 (People Finder Interchange Format, http://zesty.ca/pfif/1.4/):
// the XML that Google Person Finder and disaster-response systems
// exchange. Haven exports its open reports and its notices' public
// fields as persons, decisions as notes (a confirmed match links the two
// records), and imports other stations' persons as reports.

// PFIFNamespace is the PFIF 1.4 XML namespace.
const PFIFNamespace = "http://zesty.ca/pfif/1.4"

// PFIF note statuses.
var PFIFStatuses = []string{"information_sought", "is_note_author", "believed_alive", "believed_missing", "believed_dead"}

// PFIFPerson is a PFIF 1.4 person, its fields in the schema's order.
type PFIFPerson struct {
	RecordID       string     `xml:"person_record_id"`
	EntryDate      string     `xml:"entry_date,omitempty"`
	ExpiryDate     string     `xml:"expiry_date,omitempty"`
	AuthorName     string     `xml:"author_name,omitempty"`
	AuthorEmail    string     `xml:"author_email,omitempty"`
	AuthorPhone    string     `xml:"author_phone,omitempty"`
	SourceName     string     `xml:"source_name,omitempty"`
	SourceDate     string     `xml:"source_date"`
	SourceURL      string     `xml:"source_url,omitempty"`
	FullName       string     `xml:"full_name"`
	GivenName      string     `xml:"given_name,omitempty"`
	FamilyName     string     `xml:"family_name,omitempty"`
	AlternateNames string     `xml:"alternate_names,omitempty"`
	Description    string     `xml:"description,omitempty"`
	Sex            string     `xml:"sex,omitempty"`
	DateOfBirth    string     `xml:"date_of_birth,omitempty"`
	Age            string     `xml:"age,omitempty"`
	HomeStreet     string     `xml:"home_street,omitempty"`
	HomeNeighbor   string     `xml:"home_neighborhood,omitempty"`
	HomeCity       string     `xml:"home_city,omitempty"`
	HomeState      string     `xml:"home_state,omitempty"`
	HomePostalCode string     `xml:"home_postal_code,omitempty"`
	HomeCountry    string     `xml:"home_country,omitempty"`
	PhotoURL       string     `xml:"photo_url,omitempty"`
	ProfileURLs    string     `xml:"profile_urls,omitempty"`
	Notes          []PFIFNote `xml:"note"`
}

// PFIFNote is a PFIF 1.4 note.
type PFIFNote struct {
	RecordID          string `xml:"note_record_id"`
	PersonRecordID    string `xml:"person_record_id,omitempty"`
	LinkedPersonID    string `xml:"linked_person_record_id,omitempty"`
	EntryDate         string `xml:"entry_date,omitempty"`
	AuthorName        string `xml:"author_name"`
	AuthorEmail       string `xml:"author_email,omitempty"`
	AuthorPhone       string `xml:"author_phone,omitempty"`
	SourceDate        string `xml:"source_date"`
	AuthorMadeContact string `xml:"author_made_contact,omitempty"`
	Status            string `xml:"status,omitempty"`
	EmailOfFound      string `xml:"email_of_found_person,omitempty"`
	PhoneOfFound      string `xml:"phone_of_found_person,omitempty"`
	LastKnownLocation string `xml:"last_known_location,omitempty"`
	Text              string `xml:"text"`
	PhotoURL          string `xml:"photo_url,omitempty"`
}

// PFIFDoc is a PFIF 1.4 document.
type PFIFDoc struct {
	XMLName xml.Name     `xml:"http://zesty.ca/pfif/1.4 pfif"`
	Persons []PFIFPerson `xml:"person"`
	Notes   []PFIFNote   `xml:"note"` // top-level notes, naming their person
}

const pfifTime = "2006-01-02T15:04:05Z"

// PFIFError is one way a document breaks the PFIF 1.4 schema.
type PFIFError struct {
	Line   int
	Field  string
	Reason string
}

func (e PFIFError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason) }

// The schema's element order (xsd:sequence) and required elements.
var (
	personOrder = []string{"person_record_id", "entry_date", "expiry_date", "author_name", "author_email", "author_phone", "source_name",
		"source_date", "source_url", "full_name", "given_name", "family_name", "alternate_names", "description", "sex", "date_of_birth", "age",
		"home_street", "home_neighborhood", "home_city", "home_state", "home_postal_code", "home_country", "photo_url", "profile_urls", "note"}
	noteOrder = []string{"note_record_id", "person_record_id", "linked_person_record_id", "entry_date", "author_name", "author_email",
		"author_phone", "source_date", "author_made_contact", "status", "email_of_found_person", "phone_of_found_person",
		"last_known_location", "text", "photo_url"}
	personRequired = []string{"person_record_id", "source_date", "full_name"}
	noteRequired   = []string{"note_record_id", "author_name", "source_date", "text"}

	recordID  = regexp.MustCompile(`^[A-Za-z0-9.-]+\.[A-Za-z]{2,}/[^\s]+$`)
	utcTime   = regexp.MustCompile(`^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$`)
	birthDate = regexp.MustCompile(`^\d{4}(-\d{2}(-\d{2})?)?$`)
	pfifAge   = regexp.MustCompile(`^\d{1,3}(-\d{1,3})?$`)
)

// ValidatePFIF checks a document against the PFIF 1.4 schema: the root
// element and namespace, each element known and in the schema's order,
// required elements present and not repeated, and the value formats
// (record ids as domain/id, UTC times, sex, date of birth, age, note
// status, author_made_contact). Every problem is listed with its line.
func ValidatePFIF(data []byte) []PFIFError {
	var out []PFIFError
	d := xml.NewDecoder(bytes.NewReader(data))
	line := func() int { l, _ := d.InputPos(); return l }
	type frame struct {
		name   string
		pos    int // index in the order reached
		seen   map[string]bool
		start  int
		values map[string]string
	}
	var stack []*frame
	var text strings.Builder
	root := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return append(out, PFIFError{Line: line(), Field: "xml", Reason: err.Error()})
		}
		switch t := tok.(type) {
		case xml.StartElement:
			text.Reset()
			if t.Name.Space != PFIFNamespace {
				if len(stack) == 0 {
					return append(out, PFIFError{Line: line(), Field: t.Name.Local, Reason: "root must be pfif in namespace " + PFIFNamespace})
				}
				// Elements of other namespaces are allowed as extensions
				// only at the end of a record; PFIF consumers skip them.
				if err := d.Skip(); err != nil {
					return append(out, PFIFError{Line: line(), Field: t.Name.Local, Reason: err.Error()})
				}
				continue
			}
			name := t.Name.Local
			if len(stack) == 0 {
				if name != "pfif" || root {
					return append(out, PFIFError{Line: line(), Field: name, Reason: "root must be pfif"})
				}
				root = true
				stack = append(stack, &frame{name: "pfif"})
				continue
			}
			parent := stack[len(stack)-1]
			var order []string
			switch parent.name {
			case "pfif":
				if name != "person" && name != "note" {
					out = append(out, PFIFError{Line: line(), Field: name, Reason: "only person and note records may appear here"})
					_ = d.Skip()
					continue
				}
				stack = append(stack, &frame{name: name, seen: map[string]bool{}, start: line(), values: map[string]string{}})
				continue
			case "person":
				order = personOrder
			case "note":
				order = noteOrder
			default:
				out = append(out, PFIFError{Line: line(), Field: name, Reason: "unexpected inside " + parent.name})
				_ = d.Skip()
				continue
			}
			i := slices.Index(order, name)
			switch {
			case i < 0:
				out = append(out, PFIFError{Line: line(), Field: name, Reason: "not a PFIF 1.4 " + parent.name + " field"})
				_ = d.Skip()
				continue
			case name != "note" && parent.seen[name]:
				out = append(out, PFIFError{Line: line(), Field: name, Reason: "repeated"})
			case i < parent.pos:
				out = append(out, PFIFError{Line: line(), Field: name, Reason: "out of order (the schema's sequence puts it before " + order[parent.pos] + ")"})
			}
			parent.seen[name] = true
			parent.pos = max(parent.pos, i)
			if name == "note" {
				stack = append(stack, &frame{name: "note", seen: map[string]bool{}, start: line(), values: map[string]string{}})
				continue
			}
			stack = append(stack, &frame{name: name, start: line()})
		case xml.CharData:
			text.Write(t)
		case xml.EndElement:
			if len(stack) == 0 {
				continue
			}
			f := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			switch f.name {
			case "person", "note":
				req := personRequired
				if f.name == "note" {
					req = noteRequired
					if len(stack) > 0 && stack[len(stack)-1].name == "pfif" && !f.seen["person_record_id"] {
						out = append(out, PFIFError{Line: f.start, Field: "person_record_id", Reason: "a top-level note names its person"})
					}
				}
				for _, r := range req {
					if !f.seen[r] {
						out = append(out, PFIFError{Line: f.start, Field: r, Reason: "required"})
					}
				}
			case "pfif":
			default:
				if len(stack) > 0 {
					v := strings.TrimSpace(text.String())
					if reason := checkValue(f.name, v); reason != "" {
						out = append(out, PFIFError{Line: f.start, Field: f.name, Reason: reason})
					}
				}
			}
			text.Reset()
		}
	}
	if !root {
		out = append(out, PFIFError{Line: 1, Field: "pfif", Reason: "not a PFIF document"})
	}
	return out
}

func checkValue(field, v string) string {
	switch field {
	case "person_record_id", "note_record_id", "linked_person_record_id":
		if !recordID.MatchString(v) {
			return "want domain/unique-id"
		}
	case "entry_date", "expiry_date", "source_date":
		if !utcTime.MatchString(v) {
			return "want UTC time YYYY-MM-DDThh:mm:ssZ"
		}
		if _, err := time.Parse(pfifTime, v); err != nil {
			return "no such time"
		}
	case "sex":
		if v != "" && v != "female" && v != "male" && v != "other" {
			return "want female, male or other"
		}
	case "date_of_birth":
		if v != "" && !birthDate.MatchString(v) {
			return "want YYYY, YYYY-MM or YYYY-MM-DD"
		}
	case "age":
		if v != "" && !pfifAge.MatchString(v) {
			return "want a number or a range N-M"
		}
	case "status":
		if v != "" && !slices.Contains(PFIFStatuses, v) {
			return "want one of " + strings.Join(PFIFStatuses, ", ")
		}
	case "author_made_contact":
		if v != "" && v != "true" && v != "false" {
			return "want true or false"
		}
	case "full_name", "author_name", "text":
		if v == "" {
			return "required"
		}
	}
	return ""
}

// Export writes the PFIF 1.4 document of the station's family search:
// every report that may be shared (not private; searching or found) as a
// person with its notes, and every notice still searching as a person
// with its public fields only. Records are named in the station's domain.
func (s *Service) Export(ctx context.Context, a auth.Actor) (*PFIFDoc, error) {
	const op = "family.Export"
	if err := a.Require(op, auth.PermFamilyManage); err != nil {
		return nil, err
	}
	if err := s.Audit.AppendAudit(ctx, a.Entry("pfif.export", "report", "")); err != nil {
		return nil, errs.Wrap(errs.Internal, op, err)
	}
	reports, err := s.Store.Reports(ctx, ReportFilter{Limit: 100000})
	if err != nil {
		return nil, err
	}
	doc, domain := &PFIFDoc{}, s.domain()
	at := func(t time.Time) string { return t.UTC().Format(pfifTime) }
	for _, r := range reports {
		if p, ok := s.reportPerson(r, domain); ok {
			doc.Persons = append(doc.Persons, p)
		}
	}
	notices, err := s.PublicNotices(ctx, NoticeFilter{})
	if err != nil {
		return nil, err
	}
	for _, n := range notices {
		if n.Reunited {
			continue
		}
		rid := domain + "/notice." + n.Ref
		p := PFIFPerson{RecordID: rid, EntryDate: at(n.Published), AuthorName: s.Station.Name, SourceName: s.Station.Name,
			SourceDate: at(n.Updated), FullName: firstOf(n.Name, "不明身份人员 "+n.Ref), Sex: pfifSex(n.Sex),
			Description: pfifDescription([2]string{"体貌特征", n.Features}, [2]string{"衣着", n.Clothing}, [2]string{"口音", n.Accent})}
		if n.AgeMax > 0 {
			p.Age = strconv.Itoa(n.AgeMin) + "-" + strconv.Itoa(n.AgeMax)
		}
		p.Notes = append(p.Notes, PFIFNote{RecordID: domain + "/note.notice." + n.Ref, AuthorName: s.Station.Name, SourceDate: at(n.Updated),
			AuthorMadeContact: "true", Status: "believed_alive", LastKnownLocation: n.FoundOn + " " + n.FoundPlace,
			Text: "In the care of " + s.Station.Name + "; call " + s.Station.Phone + "."})
		doc.Persons = append(doc.Persons, p)
	}
	return doc, nil
}

func pfifAt(t time.Time) string { return t.UTC().Format(pfifTime) }

// reportPerson is a report as a PFIF person with its notes, or false when
// the report is not shared (private, withdrawn). A report that came from
// another station keeps that station's record id, so it never comes back
// to it as new.
func (s *Service) reportPerson(r *Report, domain string) (PFIFPerson, bool) {
	if r.Private || r.Status == StatusWithdrawn {
		return PFIFPerson{}, false
	}
	at := pfifAt
	rid := reportRecordID(r, domain)
	p := PFIFPerson{RecordID: rid, EntryDate: at(r.CreatedAt), AuthorName: firstOf(r.SourceOrg, s.Station.Name), SourceName: s.Station.Name,
		SourceDate: at(r.UpdatedAt), FullName: firstOf(r.Name, r.Ref), AlternateNames: r.Aliases,
		Description: pfifDescription([2]string{"体貌特征", r.Features}, [2]string{"衣着及其他", r.Description}), Sex: pfifSex(r.Sex), DateOfBirth: r.BirthDate, HomeCity: r.NativePlace}
	if r.AgeMax > 0 {
		p.Age = strconv.Itoa(r.AgeMin) + "-" + strconv.Itoa(r.AgeMax)
	}
	p.Notes = append(p.Notes, PFIFNote{RecordID: domain + "/note.report." + r.Ref, AuthorName: firstOf(r.SourceOrg, s.Station.Name),
		SourceDate: at(r.CreatedAt), Status: "information_sought", LastKnownLocation: strings.TrimSpace(r.LostOn + " " + r.LostPlace),
		Text: firstOf(p.Description, "寻人 "+r.Ref)})
	if r.Status == StatusFound && r.PersonID != "" {
		p.Notes = append(p.Notes, PFIFNote{RecordID: domain + "/note.found." + r.Ref, LinkedPersonID: domain + "/person." + r.PersonID,
			AuthorName: s.Station.Name, SourceDate: at(r.UpdatedAt), AuthorMadeContact: "true", Status: "believed_alive",
			Text: "Found and in the care of " + s.Station.Name + " (" + s.Station.Phone + ")."})
	}
	return p, true
}

// reportRecordID is a report's PFIF record id: its own station's, where it
// came from another, or one in this station's domain.
func reportRecordID(r *Report, domain string) string {
	if r.Source == SourceStation && r.ExternalID != "" {
		return r.ExternalID
	}
	return domain + "/report." + r.Ref
}

// pfifInput maps a PFIF person of station org to a report's input.
func pfifInput(p PFIFPerson, org string) ReportInput {
	in := ReportInput{Source: SourceStation, SourceOrg: org, ExternalID: p.RecordID, Name: p.FullName, Aliases: p.AlternateNames,
		Sex: cases.Sex(p.Sex), BirthDate: p.DateOfBirth, Description: p.Description, NativePlace: firstOf(p.HomeCity, p.HomeState)}
	if in.Sex == "other" {
		in.Sex = cases.SexUnknown
	}
	if lo, hi, ok := strings.Cut(p.Age, "-"); p.Age != "" {
		in.AgeMin, _ = strconv.Atoi(lo)
		in.AgeMax = in.AgeMin
		if ok {
			in.AgeMax, _ = strconv.Atoi(hi)
		}
	}
	if len(in.BirthDate) == 7 { // YYYY-MM: the year is what Haven keeps
		in.BirthDate = in.BirthDate[:4]
	}
	for _, n := range p.Notes {
		if n.Status == "information_sought" && n.LastKnownLocation != "" && in.LostPlace == "" {
			in.LostPlace = n.LastKnownLocation
		}
	}
	return in
}

func (s *Service) domain() string {
	if s.Domain != "" {
		return s.Domain
	}
	return "haven.localhost"
}

func pfifSex(x cases.Sex) string {
	switch x {
	case cases.Male, cases.Female:
		return string(x)
	}
	return ""
}

// EncodePFIF writes doc as XML.
func EncodePFIF(w io.Writer, doc *PFIFDoc) error {
	if _, err := io.WriteString(w, xml.Header); err != nil {
		return err
	}
	e := xml.NewEncoder(w)
	e.Indent("", "  ")
	if err := e.Encode(doc); err != nil {
		return err
	}
	_, err := io.WriteString(w, "\n")
	return err
}

// ImportResult says what an import did.
type ImportResult struct {
	Added    int
	Known    int // records imported before (same record id)
	Updated  int // of those, changed by their source (edited, found, withdrawn)
	Skipped  []PFIFError
	Reports  []*Report
	Invalids []PFIFError
}

// Import reads another station's PFIF 1.4 document: each person becomes a
// report (source station, its record id kept), each note a line of the
// report's history. A document that does not validate is refused whole
// with every problem and its line; with skipBad, the valid persons are
// imported and the others listed.
func (s *Service) Import(ctx context.Context, a auth.Actor, data []byte, skipBad bool) (*ImportResult, error) {
	const op = "family.Import"
	if err := a.Require(op, auth.PermFamilyManage); err != nil {
		return nil, err
	}
	res := &ImportResult{}
	problems := ValidatePFIF(data)
	badLines := map[int]bool{}
	if len(problems) > 0 {
		if !skipBad {
			res.Invalids = problems
			return res, errs.E(errs.Invalid, op, "err.pfif_invalid")
		}
		res.Skipped = problems
	}
	var doc PFIFDoc
	if err := xml.Unmarshal(data, &doc); err != nil {
		res.Invalids = append(res.Invalids, PFIFError{Line: 1, Field: "xml", Reason: err.Error()})
		return res, errs.E(errs.Invalid, op, "err.pfif_invalid")
	}
	// Top-level notes join their person's.
	for _, n := range doc.Notes {
		for i := range doc.Persons {
			if doc.Persons[i].RecordID == n.PersonRecordID {
				doc.Persons[i].Notes = append(doc.Persons[i].Notes, n)
			}
		}
	}
	// Which persons hold the problems: a problem's line falls inside its
	// person's element.
	spans := personSpans(data)
	for _, p := range problems {
		for i, sp := range spans {
			if p.Line >= sp[0] && p.Line <= sp[1] {
				badLines[i] = true
			}
		}
	}
	now := s.now()
	var fresh []*Report
	var us []*Update
	for i, p := range doc.Persons {
		if badLines[i] {
			continue
		}
		org, _, _ := strings.Cut(p.RecordID, "/")
		if org == s.domain() { // our own records, come back
			res.Known++
			continue
		}
		if old, err := s.Store.ReportByExternal(ctx, org, p.RecordID); err == nil {
			res.Known++
			changed, err := s.applyPeerChange(ctx, a, old, p, now)
			if err != nil {
				return nil, err
			}
			if changed {
				res.Updated++
			}
			continue
		} else if !errs.Is(errs.NotFound, err) {
			return nil, err
		}
		in := pfifInput(p, org)
		r, f := s.check(ctx, in, now)
		if len(f) > 0 {
			for k, v := range f {
				res.Skipped = append(res.Skipped, PFIFError{Line: spans[i][0], Field: k, Reason: v})
			}
			if !skipBad {
				res.Invalids = res.Skipped
				return res, errs.E(errs.Invalid, op, "err.pfif_invalid")
			}
			continue
		}
		r.CreatedBy = a.Name
		fresh = append(fresh, r)
		us = append(us, &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: "filed", Public: true, ByName: a.Name})
		for _, n := range p.Notes {
			us = append(us, &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: "note", Text: strings.TrimSpace(n.Status + " " + n.Text), ByName: n.AuthorName})
		}
	}
	if len(fresh) > 0 {
		if err := s.Store.AddReports(ctx, fresh, us, a.Entry("pfif.import", "report", "")); err != nil {
			return nil, err
		}
	}
	res.Added, res.Reports = len(fresh), fresh
	return res, nil
}

// personSpans gives each top-level person's first and last line.
func personSpans(data []byte) [][2]int {
	d := xml.NewDecoder(bytes.NewReader(data))
	var out [][2]int
	depth := 0
	for {
		tok, err := d.Token()
		if err != nil {
			return out
		}
		l, _ := d.InputPos()
		switch t := tok.(type) {
		case xml.StartElement:
			depth++
			if depth == 2 && t.Name.Local == "person" {
				out = append(out, [2]int{l, l})
			}
		case xml.EndElement:
			if depth == 2 && t.Name.Local == "person" && len(out) > 0 {
				out[len(out)-1][1] = l
			}
			depth--
		}
	}
}

// pfifDescription is a person's description for other stations, each part
// named ("体貌特征：左臂疤痕；衣着：灰色棉衣"): PFIF has one field for it,
// and the stations reading it read Chinese.
func pfifDescription(parts ...[2]string) string {
	var out []string
	for _, p := range parts {
		if v := strings.TrimSpace(p[1]); v != "" {
			out = append(out, p[0]+"："+v)
		}
	}
	return strings.Join(out, "；")
}

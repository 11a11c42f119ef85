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

// PFIF (People Finder Interchange Format, http://zesty.ca/pfif/1.4/):
// the XML that Google Person Finder and disaster-response systems
// exchange. Haven exports PFIF 1.4: its open reports and its notices'
// public fields as persons, decisions as notes (a confirmed match links
// the two records). It imports other stations' persons as reports from
// PFIF 1.1 to 1.4, as Person Finder reads them: fields in any order from
// 1.3 on, older versions' renamed fields under their 1.4 names.

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

// PFIFError is one way a document breaks its PFIF version's schema.
type PFIFError struct {
	Line   int
	Field  string
	Reason string
	// Dropped says what an import that skips bad records leaves out for
	// it: DroppedField, DroppedRecord, or "" (noted only: the value is
	// kept).
	Dropped string
}

func (e PFIFError) Error() string { return fmt.Sprintf("line %d: %s: %s", e.Line, e.Field, e.Reason) }

// pfifVersion is one version of PFIF as a reader sees it: its namespace,
// the fields of each record in the schema's order, the required ones, and
// whether the order is required (PFIF 1.1 and 1.2 are xsd:sequence; from
// 1.3 on a record's fields may come in any order).
type pfifVersion struct {
	name           string
	person, note   []string
	personRequired []string
	noteRequired   []string
	ordered        bool
}

// The versions Haven reads, from the specifications at zesty.ca/pfif
// (1.1 to 1.4), and the fields later versions renamed: a document of an
// older version is read into 1.4's names.
var (
	pfifVersions = map[string]pfifVersion{
		"http://zesty.ca/pfif/1.1": {name: "1.1",
			person: []string{"person_record_id", "entry_date", "author_name", "author_email", "author_phone", "source_name", "source_date",
				"source_url", "first_name", "last_name", "home_city", "home_state", "home_neighborhood", "home_street", "home_zip", "photo_url", "other", "note"},
			note: []string{"note_record_id", "entry_date", "author_name", "author_email", "author_phone", "source_date", "found",
				"email_of_found_person", "phone_of_found_person", "last_known_location", "text"},
			personRequired: []string{"person_record_id", "first_name", "last_name"}, noteRequired: noteRequired, ordered: true},
		"http://zesty.ca/pfif/1.2": {name: "1.2",
			person: []string{"person_record_id", "entry_date", "author_name", "author_email", "author_phone", "source_name", "source_date",
				"source_url", "first_name", "last_name", "sex", "date_of_birth", "age", "home_street", "home_neighborhood", "home_city",
				"home_state", "home_postal_code", "home_country", "photo_url", "other", "note"},
			note: []string{"note_record_id", "person_record_id", "linked_person_record_id", "entry_date", "author_name", "author_email",
				"author_phone", "source_date", "found", "status", "email_of_found_person", "phone_of_found_person", "last_known_location", "text"},
			personRequired: []string{"person_record_id", "first_name", "last_name"}, noteRequired: noteRequired, ordered: true},
		"http://zesty.ca/pfif/1.3": {name: "1.3",
			person: []string{"person_record_id", "entry_date", "expiry_date", "author_name", "author_email", "author_phone", "source_name",
				"source_date", "source_url", "full_name", "first_name", "last_name", "sex", "date_of_birth", "age", "home_street",
				"home_neighborhood", "home_city", "home_state", "home_postal_code", "home_country", "photo_url", "other", "note"},
			note: []string{"note_record_id", "person_record_id", "linked_person_record_id", "entry_date", "author_name", "author_email",
				"author_phone", "source_date", "found", "status", "email_of_found_person", "phone_of_found_person", "last_known_location", "text"},
			personRequired: []string{"person_record_id", "full_name"}, noteRequired: noteRequired},
		PFIFNamespace: {name: "1.4", person: personOrder, note: noteOrder, personRequired: personRequired, noteRequired: noteRequired},
	}
	// pfifRenamed maps a field of PFIF 1.1–1.3 to its PFIF 1.4 name.
	pfifRenamed = map[string]string{"first_name": "given_name", "last_name": "family_name", "other": "description",
		"found": "author_made_contact", "home_zip": "home_postal_code"}

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

// What skip-bad-records does about a problem (PFIFError.Dropped).
const (
	DroppedField  = "field"  // the bad optional field is left out, the record kept
	DroppedRecord = "record" // the record (a person with its notes, or a note) is skipped
)

// pfifRecord is one person or note as read, its fields under PFIF 1.4
// names.
type pfifRecord struct {
	kind      string // person or note
	line      int
	fields    map[string]string
	lines     map[string]int // where each field is
	notes     []*pfifRecord  // a person's own notes
	skip      bool           // a problem skips the whole record
	topLevel  bool
	problems  []PFIFError
	droppable map[string]bool // fields a problem makes skip-bad leave out
}

// pfifParsed is a document as read: its version, records and problems.
type pfifParsed struct {
	version  string
	persons  []*pfifRecord
	notes    []*pfifRecord // top-level notes
	problems []PFIFError   // every problem, in document order
	fatal    bool          // the document cannot be read at all
}

// ValidatePFIF checks a document against its PFIF version's schema (1.1
// to 1.4): the root element and namespace, each element known, required
// elements present and not repeated, the order where the version requires
// one (1.1, 1.2), and the value formats (record ids as domain/id, UTC
// times, sex, date of birth, age, note status, author_made_contact).
// Every problem is listed with its line.
func ValidatePFIF(data []byte) []PFIFError { return parsePFIF(data).problems }

func parsePFIF(data []byte) *pfifParsed {
	out := &pfifParsed{}
	d := xml.NewDecoder(bytes.NewReader(data))
	line := func() int { l, _ := d.InputPos(); return l }
	var ns string
	var v pfifVersion
	var stack []*pfifRecord // open records
	var field string        // the open field element, "" if none
	var fieldLine int
	var text strings.Builder
	pos := map[*pfifRecord]int{}
	problem := func(rec *pfifRecord, p PFIFError) {
		if rec != nil {
			switch p.Dropped {
			case DroppedRecord:
				rec.skip = true
			case DroppedField:
				if rec.droppable == nil {
					rec.droppable = map[string]bool{}
				}
				rec.droppable[p.Field] = true
			}
		}
		out.problems = append(out.problems, p)
	}
	fatal := func(p PFIFError) *pfifParsed {
		p.Dropped = DroppedRecord
		out.problems = append(out.problems, p)
		out.fatal = true
		return out
	}
	root := false
	for {
		tok, err := d.Token()
		if err == io.EOF {
			break
		}
		if err != nil {
			return fatal(PFIFError{Line: line(), Field: "xml", Reason: err.Error()})
		}
		switch t := tok.(type) {
		case xml.StartElement:
			text.Reset()
			if !root {
				ver, known := pfifVersions[t.Name.Space]
				if t.Name.Local != "pfif" || !known {
					return fatal(PFIFError{Line: line(), Field: t.Name.Local, Reason: "root must be pfif in the namespace of PFIF 1.1, 1.2, 1.3 or 1.4 (http://zesty.ca/pfif/1.4)"})
				}
				root, ns, v, out.version = true, t.Name.Space, ver, ver.name
				continue
			}
			if t.Name.Space != ns || field != "" {
				// Elements of other namespaces are extensions that PFIF
				// readers skip; so is anything inside a field.
				if err := d.Skip(); err != nil {
					return fatal(PFIFError{Line: line(), Field: t.Name.Local, Reason: err.Error()})
				}
				continue
			}
			name := t.Name.Local
			if len(stack) == 0 {
				if name != "person" && name != "note" {
					problem(nil, PFIFError{Line: line(), Field: name, Reason: "only person and note records may appear here", Dropped: DroppedField})
					_ = d.Skip()
					continue
				}
				rec := &pfifRecord{kind: name, line: line(), fields: map[string]string{}, lines: map[string]int{}, topLevel: true}
				if name == "person" {
					out.persons = append(out.persons, rec)
				} else {
					out.notes = append(out.notes, rec)
				}
				stack = append(stack, rec)
				continue
			}
			parent := stack[len(stack)-1]
			order := v.person
			if parent.kind == "note" {
				order = v.note
			}
			i := slices.Index(order, name)
			if i < 0 {
				problem(parent, PFIFError{Line: line(), Field: name, Reason: "not a PFIF " + v.name + " " + parent.kind + " field", Dropped: DroppedField})
				_ = d.Skip()
				continue
			}
			if v.ordered && i < pos[parent] {
				// 1.1 and 1.2 fix the order; the value itself is fine.
				problem(parent, PFIFError{Line: line(), Field: name, Reason: "out of order (PFIF " + v.name + " puts it before " + order[pos[parent]] + ")"})
			}
			pos[parent] = max(pos[parent], i)
			if name == "note" {
				rec := &pfifRecord{kind: "note", line: line(), fields: map[string]string{}, lines: map[string]int{}}
				parent.notes = append(parent.notes, rec)
				stack = append(stack, rec)
				continue
			}
			field, fieldLine = name, line()
		case xml.CharData:
			if field != "" {
				text.Write(t)
			}
		case xml.EndElement:
			if field != "" {
				rec := stack[len(stack)-1]
				name := field
				if n, ok := pfifRenamed[name]; ok {
					name = n
				}
				val := strings.TrimSpace(text.String())
				field = ""
				req := v.personRequired
				if rec.kind == "note" {
					req = v.noteRequired
				}
				required := slices.ContainsFunc(req, func(r string) bool { return renamed(r) == name })
				if _, seen := rec.fields[name]; seen {
					drop := DroppedField
					if required {
						drop = DroppedRecord
					}
					problem(rec, PFIFError{Line: fieldLine, Field: name, Reason: "repeated", Dropped: drop})
					continue
				}
				rec.fields[name], rec.lines[name] = val, fieldLine
				if reason := checkValue(name, val); reason != "" {
					drop := DroppedField
					if required || name == "person_record_id" || name == "note_record_id" {
						drop = DroppedRecord
					}
					problem(rec, PFIFError{Line: fieldLine, Field: name, Reason: reason, Dropped: drop})
				}
				continue
			}
			if len(stack) == 0 {
				continue
			}
			rec := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			req := v.personRequired
			if rec.kind == "note" {
				req = v.noteRequired
				if rec.topLevel && rec.fields["person_record_id"] == "" {
					problem(rec, PFIFError{Line: rec.line, Field: "person_record_id", Reason: "a top-level note names its person", Dropped: DroppedRecord})
				}
			}
			for _, r := range req {
				if _, ok := rec.fields[renamed(r)]; !ok {
					problem(rec, PFIFError{Line: rec.line, Field: r, Reason: "required", Dropped: DroppedRecord})
				}
			}
			if rec.kind == "person" && rec.fields["full_name"] == "" {
				// 1.1 and 1.2 have only first_name and last_name.
				rec.fields["full_name"] = joinName(rec.fields["given_name"], rec.fields["family_name"])
			}
		}
	}
	if !root {
		return fatal(PFIFError{Line: 1, Field: "pfif", Reason: "not a PFIF document"})
	}
	return out
}

func renamed(f string) string {
	if n, ok := pfifRenamed[f]; ok {
		return n
	}
	return f
}

// joinName makes a full name of PFIF 1.1/1.2's first and last names:
// family name first and no space for Chinese, "given family" otherwise.
func joinName(given, family string) string {
	given, family = strings.TrimSpace(given), strings.TrimSpace(family)
	han := func(s string) bool {
		return strings.ContainsFunc(s, func(r rune) bool { return r >= 0x3400 && r <= 0x9FFF })
	}
	if han(given) || han(family) {
		return family + given
	}
	return strings.TrimSpace(given + " " + family)
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
	Version  string
	Skipped  []PFIFError // with skip-bad: each field left out and each record skipped, with its line
	Reports  []*Report
	Invalids []PFIFError
}

// Import reads another station's PFIF document (1.1 to 1.4, older
// versions' renamed fields read as 1.4's): each person becomes a report
// (source station, its record id kept), each note a line of the report's
// history. A document with any problem is refused whole, every problem
// listed with its line. With skipBad, a bad optional field is left out
// and its record kept; a record missing a required field, or whose
// required field is bad, is skipped (a person with its notes); each is
// reported with its line.
func (s *Service) Import(ctx context.Context, a auth.Actor, data []byte, skipBad bool) (*ImportResult, error) {
	const op = "family.Import"
	if err := a.Require(op, auth.PermFamilyManage); err != nil {
		return nil, err
	}
	res := &ImportResult{}
	doc := parsePFIF(data)
	res.Version = doc.version
	if doc.fatal || (len(doc.problems) > 0 && !skipBad) {
		res.Invalids = doc.problems
		return res, errs.E(errs.Invalid, op, "err.pfif_invalid")
	}
	res.Skipped = doc.problems
	// Top-level notes join their person's.
	for _, n := range doc.notes {
		if n.skip {
			continue
		}
		for _, p := range doc.persons {
			if p.fields["person_record_id"] == n.fields["person_record_id"] {
				p.notes = append(p.notes, n)
			}
		}
	}
	now := s.now()
	var fresh []*Report
	var us []*Update
	for _, p := range doc.persons {
		if p.skip {
			continue
		}
		f := p.kept()
		rid := f["person_record_id"]
		org, _, _ := strings.Cut(rid, "/")
		if org == s.domain() { // our own records, come back
			res.Known++
			continue
		}
		var notes []map[string]string
		for _, n := range p.notes {
			if !n.skip {
				notes = append(notes, n.kept())
			}
		}
		if old, err := s.Store.ReportByExternal(ctx, org, rid); err == nil {
			res.Known++
			changed, err := s.applyPeerChange(ctx, a, old, f, notes, now)
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
		in := pfifReport(org, f, notes)
		r, bad := s.check(ctx, in, now)
		if len(bad) > 0 && skipBad {
			// Leave out what Haven cannot take of the optional fields and
			// keep the person; anything else skips it.
			retry := true
			for k := range bad {
				pf, ok := reportPFIFField[k]
				if !ok {
					retry = false
					break
				}
				res.Skipped = append(res.Skipped, PFIFError{Line: p.fieldLine(pf), Field: pf, Reason: bad[k], Dropped: DroppedField})
				clearReportField(&in, k)
			}
			if retry {
				r, bad = s.check(ctx, in, now)
			}
		}
		if len(bad) > 0 {
			var problems []PFIFError
			for k, v := range bad {
				pf := firstOf(reportPFIFField[k], k)
				problems = append(problems, PFIFError{Line: p.fieldLine(pf), Field: pf, Reason: v, Dropped: DroppedRecord})
			}
			slices.SortFunc(problems, func(x, y PFIFError) int { return strings.Compare(x.Field, y.Field) })
			res.Skipped = append(res.Skipped, problems...)
			if !skipBad {
				res.Invalids = res.Skipped
				return res, errs.E(errs.Invalid, op, "err.pfif_invalid")
			}
			continue
		}
		r.CreatedBy = a.Name
		fresh = append(fresh, r)
		us = append(us, &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: "filed", Public: true, ByName: a.Name})
		for _, n := range notes {
			us = append(us, &Update{ID: id.New(), ReportID: r.ID, At: now, Kind: "note", Text: strings.TrimSpace(n["status"] + " " + n["text"]), ByName: n["author_name"]})
		}
	}
	slices.SortStableFunc(res.Skipped, func(x, y PFIFError) int { return x.Line - y.Line })
	if len(fresh) > 0 {
		if err := s.Store.AddReports(ctx, fresh, us, a.Entry("pfif.import", "report", "")); err != nil {
			return nil, err
		}
	}
	res.Added, res.Reports = len(fresh), fresh
	return res, nil
}

// kept is a record's fields without those a problem left out.
func (r *pfifRecord) kept() map[string]string {
	out := make(map[string]string, len(r.fields))
	for k, v := range r.fields {
		if !r.droppable[k] {
			out[k] = v
		}
	}
	return out
}

// fieldLine is where a person's field (or one of its notes') is, else the
// person's own line.
func (r *pfifRecord) fieldLine(f string) int {
	if l, ok := r.lines[f]; ok {
		return l
	}
	for _, n := range r.notes {
		if l, ok := n.lines[f]; ok {
			return l
		}
	}
	return r.line
}

// pfifReport is a person as a report input.
func pfifReport(org string, p map[string]string, notes []map[string]string) ReportInput {
	in := ReportInput{Source: SourceStation, SourceOrg: org, ExternalID: p["person_record_id"], Name: p["full_name"], Aliases: p["alternate_names"],
		Sex: cases.Sex(p["sex"]), BirthDate: p["date_of_birth"], Description: p["description"], NativePlace: firstOf(p["home_city"], p["home_state"])}
	if in.Sex == "other" {
		in.Sex = cases.SexUnknown
	}
	if age := p["age"]; age != "" {
		lo, hi, ok := strings.Cut(age, "-")
		in.AgeMin, _ = strconv.Atoi(lo)
		in.AgeMax = in.AgeMin
		if ok {
			in.AgeMax, _ = strconv.Atoi(hi)
		}
	}
	if len(in.BirthDate) == 7 { // YYYY-MM: the year is what Haven keeps
		in.BirthDate = in.BirthDate[:4]
	}
	for _, n := range notes {
		if n["status"] == "information_sought" && n["last_known_location"] != "" && in.LostPlace == "" {
			in.LostPlace = n["last_known_location"]
		}
	}
	return in
}

// reportPFIFField names the PFIF field of a report field Haven checks
// and may leave out: those it cannot take skip just that field.
var reportPFIFField = map[string]string{"aliases": "alternate_names", "native_place": "home_city", "lost_place": "last_known_location",
	"description": "description", "sex": "sex", "birth_date": "date_of_birth", "age_min": "age"}

func clearReportField(in *ReportInput, f string) {
	switch f {
	case "aliases":
		in.Aliases = ""
	case "native_place":
		in.NativePlace = ""
	case "lost_place":
		in.LostPlace = ""
	case "description":
		in.Description = ""
	case "sex":
		in.Sex = cases.SexUnknown
	case "birth_date":
		in.BirthDate = ""
	case "age_min":
		in.AgeMin, in.AgeMax = 0, 0
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

// Package cases is station case management (站内救助, DESIGN.md §3.4): the
// people a station helps, each with one record from the street to the
// family they return to; their stays from admission to exit under the
// 2014 《生活无着的流浪乞讨人员救助管理机构工作规程》; belongings held in
// custody; care notes; the statutory deadlines; and identity resolution,
// where records are linked and never destroyed.
package cases

import (
	"context"
	"time"

	"github.com/havenrescue/haven/internal/audit"
)

// Sex of a person.
type Sex string

const (
	Male          Sex = "male"
	Female        Sex = "female"
	SexUnknown    Sex = "unknown"
	nameMaxRunes      = 50
	textMaxRunes      = 2000
	shortMaxRunes     = 100
)

// Sexes lists the choices.
var Sexes = []Sex{Male, Female, SexUnknown}

// Mental is the mental and intellectual state as staff assess it.
type Mental string

// Mental states. Adults with a mental or intellectual disability are not
// reviewed for leaving at 10 days, cannot leave alone and are escorted.
const (
	MentalUnknown      Mental = "unknown"
	MentalNormal       Mental = "normal"
	MentalIllness      Mental = "mental"
	MentalIntellectual Mental = "intellectual"
)

// MentalStates lists the choices.
var MentalStates = []Mental{MentalUnknown, MentalNormal, MentalIllness, MentalIntellectual}

// Vulnerability flags.
const (
	FlagMinor    = "minor"
	FlagElderly  = "elderly"
	FlagDisabled = "disabled"
	FlagPregnant = "pregnant"
	// Special groups the monthly statistics report counts (救助管理统计月报).
	FlagTrafficking = "trafficking"       // suspected victim of trafficking (疑似被拐卖)
	FlagDomestic    = "domestic_violence" // suspected victim of domestic violence (疑似家暴受害)
	FlagForeign     = "foreign"           // foreign national (外籍人员)
	FlagLeftBehind  = "left_behind"       // left-behind child (留守儿童)
)

// Flags lists the vulnerability flags.
var Flags = []string{FlagMinor, FlagElderly, FlagDisabled, FlagPregnant, FlagTrafficking, FlagDomestic, FlagForeign, FlagLeftBehind}

// Person is one person record (受助人员). A record merged into another
// keeps its row and points at the identity it joined (MergedInto).
type Person struct {
	ID          string
	Ref         string // RY-… staff reference
	Name        string // as given; "" while unknown
	Aliases     string
	Sex         Sex
	BirthDate   string // YYYY-MM-DD when known
	AgeMin      int    // estimated age range when the birth date is unknown
	AgeMax      int
	HeightCm    int
	Ethnicity   string
	NativePlace string // 籍贯
	Hukou       string // 户籍
	Dialect     string
	IDSealed    string // citizen ID number, sealed ("persons.id_number")
	IDBirth     string // YYYYMMDD from the ID number: finds re-admissions without opening every number
	IDRegion    string // region read from the ID number
	Marks       string // distinguishing marks
	Mental      Mental
	Flags       []string
	Identified  bool
	MergedInto  string
	Version     int
	CreatedAt   time.Time
	UpdatedAt   time.Time
}

// DisplayName is the name, or the record's reference while unknown.
func (p *Person) DisplayName() string {
	if p.Name != "" {
		return p.Name
	}
	return p.Ref
}

// Birth returns the birth date, if known.
func (p *Person) Birth() (time.Time, bool) {
	if p.BirthDate == "" {
		return time.Time{}, false
	}
	t, err := time.ParseInLocation("2006-01-02", p.BirthDate, CST)
	return t, err == nil
}

// AgeAt returns the age range at t: exact (min == max) from a birth date,
// else the estimate; ok is false when neither is known.
func (p *Person) AgeAt(t time.Time) (min, max int, ok bool) {
	if b, known := p.Birth(); known {
		a := yearsBetween(b, t)
		return a, a, true
	}
	if p.AgeMax > 0 {
		return p.AgeMin, p.AgeMax, true
	}
	return 0, 0, false
}

// yearsBetween is the age at t of someone born on b: the birthday itself
// counts (one turns 16 on the 16th birthday).
func yearsBetween(b, t time.Time) int {
	t = t.In(CST)
	y := t.Year() - b.Year()
	if t.Month() < b.Month() || (t.Month() == b.Month() && t.Day() < b.Day()) {
		y--
	}
	return y
}

// HasFlag reports whether the person carries a vulnerability flag.
func (p *Person) HasFlag(f string) bool {
	for _, x := range p.Flags {
		if x == f {
			return true
		}
	}
	return false
}

// MinorAt reports whether the person is, or may be, under 18 at t: a
// minor flag, an exact age under 18, or an estimate reaching under 18.
func (p *Person) MinorAt(t time.Time) bool {
	if p.HasFlag(FlagMinor) {
		return true
	}
	min, _, ok := p.AgeAt(t)
	return ok && min < 18
}

// CannotTravelAlone reports whether the person must be escorted home or
// collected: minors, people with a mental or intellectual disability and
// those flagged disabled.
func (p *Person) CannotTravelAlone(t time.Time) bool {
	return p.MinorAt(t) || p.Mental == MentalIllness || p.Mental == MentalIntellectual || p.HasFlag(FlagDisabled)
}

// Contact is a relative or other contact of a person.
type Contact struct {
	ID          string
	PersonID    string
	Relation    string
	Name        string
	PhoneSealed string // sealed ("persons.contact_phone")
	Address     string
	CreatedAt   time.Time
}

// StayState is where a stay stands.
type StayState string

const (
	StayOpen    StayState = "open"
	StayClosed  StayState = "closed"
	StayRefused StayState = "refused" // help refused with a statutory ground (不予救助)
)

// Sources of an admission.
var Sources = []string{"walk_in", "patrol", "police", "city_management", "hospital", "transfer_in", "other"}

// Welfare statuses asked on the 求助登记表.
var Welfare = []string{"none", "dibao", "wubao", "tekun"}

// Security check results (安检).
var SecurityResults = []string{"passed", "items_held", "refused"}

// RefusalGrounds are the statutory grounds for refusing help (不予救助).
var RefusalGrounds = []string{"not_eligible", "false_information", "refused_rules", "has_means"}

// Form is the rest of the 求助登记表 and the admission record.
type Form struct {
	Reason         string `json:"reason"`          // reason for asking for help
	Story          string `json:"story"`           // time and course of begging or being stranded
	Residence      string `json:"residence"`       // 户口 and residence address
	Welfare        string `json:"welfare"`         // 低保 / 五保 / 特困
	Relatives      string `json:"relatives"`       // relatives as told, beyond the contacts
	Security       string `json:"security"`        // 安检 result
	SecurityNotes  string `json:"security_notes"`  // items held or found
	FingerprintRef string `json:"fingerprint_ref"` // the capture device's record number
	Photo          string `json:"photo"`           // admission photo file
	RefusalGround  string `json:"refusal_ground"`  // for a refused stay
	RefusalNote    string `json:"refusal_note"`
}

// Stay is one stay at the station (一次救助).
type Stay struct {
	ID           string
	Ref          string // JZ-… the stay's reference on forms
	PersonID     string
	State        StayState
	ArrivedAt    time.Time // when the person came in
	EnteredAt    time.Time // when staff entered the record
	EnteredBy    string
	Source       string
	IncidentID   string
	EncounterID  string
	Unidentified bool // unidentified at admission: the 寻亲 rules apply
	Form         Form
	Room, Bed    string
	ExitKind     ExitKind
	ExitedAt     time.Time
	Exit         ExitRecord
	ExitedBy     string
	Version      int
	UpdatedAt    time.Time
}

// Belonging is one item held in custody (随身物品).
type Belonging struct {
	ID           string
	StayID       string
	Item         string
	Qty          int
	Description  string
	Photo        string
	Location     string // where it is stored
	SignedInBy   string // staff
	PersonSigned bool   // the person signed the list
	SignedInAt   time.Time
	Returned     bool
	ReturnedQty  int
	ReturnedAt   time.Time
	ReturnNote   string
	ReturnedBy   string
}

// Discrepancy reports whether fewer or more items came back than went in.
func (b *Belonging) Discrepancy() bool { return b.Returned && b.ReturnedQty != b.Qty }

// Note kinds of the stay's daily record.
var NoteKinds = []string{"care", "meal", "service", "incident"}

// Note is an entry in the stay's daily record.
type Note struct {
	ID         string
	StayID     string
	At         time.Time
	Kind       string
	Text       string
	AuthorName string
}

// Task is a statutory task done.
type Task struct {
	StayID string
	Rule   string
	DoneAt time.Time
	DoneBy string
	Note   string
}

// Merge is one identity merge.
type Merge struct {
	ID         string
	SurvivorID string
	MergedID   string
	ActorName  string
	At         time.Time
	UndoneAt   time.Time
}

// PersonFilter selects people.
type PersonFilter struct {
	Query        string // name, alias or reference
	InStation    bool   // with an open stay
	Unidentified bool
	Limit        int
}

// Store is what cases needs from storage.
type Store interface {
	// Admit stores a new person (when p.Version is 0) or uses the
	// existing one, with the stay, its belongings and the contacts.
	// Conflict (err.open_stay) when the person has an open stay.
	Admit(ctx context.Context, p *Person, contacts []*Contact, st *Stay, items []*Belonging, e audit.Entry) error
	PersonByID(ctx context.Context, id string) (*Person, error)
	PeopleByIDs(ctx context.Context, ids []string) ([]*Person, error)
	UpdatePerson(ctx context.Context, p *Person, e audit.Entry) error // version-checked
	ListPeople(ctx context.Context, f PersonFilter) ([]*Person, error)
	// PeopleByIDBirth finds records (not merged away) by the birth date of
	// their ID number.
	PeopleByIDBirth(ctx context.Context, idBirth string) ([]*Person, error)
	// PeopleNamed finds records (not merged away) whose name or one of
	// whose aliases (NamesOf) is name.
	PeopleNamed(ctx context.Context, name string) ([]*Person, error)
	// Identity returns the records merged into id (directly or through
	// others), not including id.
	Identity(ctx context.Context, id string) ([]*Person, error)
	AddContact(ctx context.Context, c *Contact, e audit.Entry) error
	Contacts(ctx context.Context, personIDs []string) ([]*Contact, error)

	StayByID(ctx context.Context, id string) (*Stay, error)
	StaysOf(ctx context.Context, personIDs []string) ([]*Stay, error)
	OpenStays(ctx context.Context) ([]*Stay, error)
	// OpenStaysPage lists a page of the open stays, longest in care first.
	OpenStaysPage(ctx context.Context, limit, offset int) ([]*Stay, error)
	// StationFigures counts the dashboard's figures with aggregate queries
	// (the same rules as Rules.FiguresInGo).
	StationFigures(ctx context.Context, q FigureQuery) (Figures, error)
	// StaysArrived lists stays that arrived in [since, until).
	StaysArrived(ctx context.Context, since, until time.Time) ([]*Stay, error)
	UpdateStay(ctx context.Context, st *Stay, e audit.Entry) error // version-checked (room, bed)
	// CloseStay records the exit and the belongings' return, version-checked.
	CloseStay(ctx context.Context, st *Stay, returns []*Belonging, e audit.Entry) error

	AddBelonging(ctx context.Context, b *Belonging, e audit.Entry) error
	Belongings(ctx context.Context, stayID string) ([]*Belonging, error)
	AddCareNote(ctx context.Context, n *Note, e audit.Entry) error
	CareNotes(ctx context.Context, stayID string) ([]*Note, error)
	// DoTask records a statutory task; Exists when it was done already.
	DoTask(ctx context.Context, t *Task, e audit.Entry) error
	Tasks(ctx context.Context, stayIDs []string) ([]*Task, error)

	MergePeople(ctx context.Context, m *Merge, e audit.Entry) error
	UndoMerge(ctx context.Context, mergeID string, at time.Time, e audit.Entry) (*Merge, error)
	MergesOf(ctx context.Context, personID string) ([]*Merge, error)
	// MarkDistinct records that two records are different people.
	MarkDistinct(ctx context.Context, a, b, actor string, at time.Time, e audit.Entry) error
	Distinct(ctx context.Context, a, b string) (bool, error)
}

package canteen

import (
	"context"
	"time"

	"github.com/havenrescue/haven/internal/audit"
)

// Supplier is a food supplier with its food business licence.
type Supplier struct {
	ID             string
	Name           string
	LicenceNo      string
	LicenceExpires string // the last valid day
	Contact        string
	Phone          string
	CreatedAt      time.Time
}

// Purchase is one delivery and its incoming inspection (进货查验).
type Purchase struct {
	ID           string
	ReceivedOn   string
	SupplierID   string
	SupplierName string // read with the purchase
	Item         string
	Spec         string
	Quantity     string // with its unit ("20 kg")
	Batch        string
	ProducedOn   string
	ShelfDays    int    // 0: no shelf life
	ExpiresOn    string // from ProducedOn and ShelfDays; "" without a shelf life
	Storage      string // Ambient, Chilled, Frozen
	ReceiveTemp  *float64
	Inspector    string
	Accepted     bool
	RejectReason string
	Override     string // why it was bought from a supplier whose licence had expired
	RetainUntil  string // not deleted before this day
	QtyMilli     int64  // accepted: the quantity in thousandths of QtyUnit, when it reads as a number (stock on hand)
	QtyUnit      string
	IssuedMilli  int64 // issued or discarded so far
	CreatedBy    string
	CreatedAt    time.Time
}

// ColdUnit is a fridge or freezer; ForSamples marks the 留样 fridge.
type ColdUnit struct {
	ID         string
	Name       string
	Kind       string // Chilled or Frozen
	ForSamples bool
}

// Reading is one temperature of a cold unit.
type Reading struct {
	ID         string
	UnitID     string
	UnitName   string // read with the reading
	At         time.Time
	TempC      float64
	Source     string // "hand" or "sensor"
	By         string
	OutOfRange bool
}

// Meal kinds.
const (
	Breakfast = "breakfast"
	Lunch     = "lunch"
	Dinner    = "dinner"
	Outreach  = "outreach" // meals taken out on a campaign's outreach
)

// MealKinds lists the meal kinds in display order.
var MealKinds = []string{Breakfast, Lunch, Dinner, Outreach}

// Meal is one meal served, with its dishes.
type Meal struct {
	ID        string
	Day       string
	Kind      string
	Served    int
	InCare    int // people in care that day, when the meal was recorded
	Note      string
	CreatedBy string
	CreatedAt time.Time
	Dishes    []*Dish
}

// Dish is a dish of a meal; Sample is nil when none was retained.
type Dish struct {
	ID     string
	MealID string
	Name   string
	Sample *Sample
}

// Sample is a retained sample (留样) of a dish.
type Sample struct {
	ID           string
	DishID       string
	Grams        int
	Sealed       bool
	SampledAt    time.Time
	Sampler      string
	Reviewer     string
	UnitID       string
	DiscardAfter time.Time
	DiscardedAt  time.Time // zero while kept
	DiscardedBy  string
	// Read with the sample, for lists.
	DishName string
	MealDay  string
	MealKind string
}

// Handler is a food handler and their health certificate (健康证).
type Handler struct {
	ID          string
	Name        string
	CertNo      string
	CertExpires string
	Active      bool
}

// Check is a handler's morning check (晨检) on a day.
type Check struct {
	ID        string
	HandlerID string
	Day       string
	Symptoms  []string
	Fit       bool // may do food work that day
	CheckedBy string
	At        time.Time
}

// Disinfection is one tableware disinfection.
type Disinfection struct {
	ID      string
	At      time.Time
	Method  string
	TempC   float64
	MgL     float64
	Seconds int
	Items   string
	By      string
	Below   bool // short of the method's minimum
}

// Store keeps the canteen's records. Writes take the audit entry and
// store it in the same transaction. Not found: errs.NotFound.
type Store interface {
	AddSupplier(ctx context.Context, s *Supplier, e audit.Entry) error
	Suppliers(ctx context.Context) ([]*Supplier, error)
	SupplierByID(ctx context.Context, id string) (*Supplier, error)

	AddPurchase(ctx context.Context, p *Purchase, e audit.Entry) error
	// Purchases lists the purchases received from from to to (days, inclusive).
	Purchases(ctx context.Context, from, to string) ([]*Purchase, error)
	PurchaseByID(ctx context.Context, id string) (*Purchase, error)
	DeletePurchase(ctx context.Context, id string, e audit.Entry) error

	AddColdUnit(ctx context.Context, u *ColdUnit, e audit.Entry) error
	ColdUnits(ctx context.Context) ([]*ColdUnit, error)
	AddReading(ctx context.Context, r *Reading, e audit.Entry) error
	// Readings lists the readings taken since, newest first.
	Readings(ctx context.Context, since time.Time) ([]*Reading, error)

	// AddMeal stores a meal with its dishes and their samples.
	AddMeal(ctx context.Context, m *Meal, e audit.Entry) error
	// Meals lists the meals of the days from to to, with dishes and samples.
	Meals(ctx context.Context, from, to string) ([]*Meal, error)
	DishByID(ctx context.Context, id string) (*Dish, error)
	AddSample(ctx context.Context, s *Sample, e audit.Entry) error
	SampleByID(ctx context.Context, id string) (*Sample, error)
	// DiscardSample records a discard; Conflict if it was discarded already.
	DiscardSample(ctx context.Context, id string, at time.Time, by string, e audit.Entry) error
	// DiscardSamplesDue records the discard at at of every sample kept
	// whose discard_after is at or before at; it returns how many.
	DiscardSamplesDue(ctx context.Context, at time.Time, by string, e audit.Entry) (int, error)
	// SamplesKept lists the samples not discarded, oldest first (few: two
	// days' worth).
	SamplesKept(ctx context.Context) ([]*Sample, error)

	AddHandler(ctx context.Context, h *Handler, e audit.Entry) error
	Handlers(ctx context.Context) ([]*Handler, error)
	HandlerByID(ctx context.Context, id string) (*Handler, error)
	// SaveCheck stores a handler's morning check of a day, replacing an
	// earlier one of the same day.
	SaveMorningCheck(ctx context.Context, c *Check, e audit.Entry) error
	MorningChecks(ctx context.Context, day string) ([]*Check, error)

	AddDisinfection(ctx context.Context, d *Disinfection, e audit.Entry) error
	Disinfections(ctx context.Context, since time.Time) ([]*Disinfection, error)

	// InCareOn counts the people in care at any time on day (CST).
	InCareOn(ctx context.Context, day string) (int, error)
}

// Package thanks is the station's public thanks to its donors (issue 20,
// DESIGN.md §3.12). A donor of money (package volunteers) or of goods
// into stock (package supplies) may consent to be thanked in public, by
// a name they choose or anonymously; staff record the consent with the
// donation and change it later. The public list shows only gifts whose
// donor consents, never the name the station recorded, and no amount or
// quantity: what a person gave is their business, and a list of sums
// invites comparison. A withdrawn consent takes the gift off the list at
// once.
package thanks

import (
	"context"
	"slices"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/audit"
	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/errs"
)

// Consent modes.
const (
	None      = "none"      // not thanked in public (the default)
	Named     = "named"     // thanked by the name the donor chose
	Anonymous = "anonymous" // thanked as 爱心人士, an anonymous donor
)

// Modes lists the modes in display order.
var Modes = []string{None, Named, Anonymous}

// Gift kinds.
const (
	Money  = "money"   // a money donation (volunteers.Donation)
	InKind = "in_kind" // a donation into stock (supplies.Donation)
)

// MaxName is the longest public name, in characters.
const MaxName = 40

// Window is how far back the public list reaches.
const Window = 365 * 24 * time.Hour

// CST is China Standard Time: a gift is shown with the month it came in.
var CST = time.FixedZone("CST", 8*3600)

// Consent is a donor's choice about public thanks.
type Consent struct {
	Mode string // None, Named or Anonymous; "" reads as None
	Name string // Named: the name the donor chose to be thanked by
}

// Public reports whether the gift may be shown.
func (c Consent) Public() bool { return c.Mode == Named || c.Mode == Anonymous }

// Check normalises c (no name unless Named) and answers its problems as
// field → message key (fields "thanks" and "thanks_name"), nil when none.
func (c *Consent) Check() map[string]string {
	c.Name = strings.TrimSpace(c.Name)
	if c.Mode == "" {
		c.Mode = None
	}
	switch c.Mode {
	case None, Anonymous:
		c.Name = ""
	case Named:
		switch {
		case c.Name == "":
			return map[string]string{"thanks_name": "thanks.err_name"}
		case !utf8.ValidString(c.Name) || utf8.RuneCountInString(c.Name) > MaxName:
			return map[string]string{"thanks_name": "thanks.err_name_long"}
		case strings.ContainsFunc(c.Name, func(r rune) bool { return unicode.IsControl(r) || r == '<' || r == '>' }):
			return map[string]string{"thanks_name": "thanks.err_name_chars"}
		}
	default:
		return map[string]string{"thanks": "err.invalid_choice"}
	}
	return nil
}

// Gift is a donation with its donor's consent, as staff see it.
type Gift struct {
	Kind      string // Money or InKind
	ID        string // the donation's or the stock movement's id
	At        time.Time
	Donor     string // as recorded: never public
	What      string // in kind: the item's name; money: the purpose written
	Qty       int    // in kind: pieces
	Unit      string // in kind: the item's unit
	AmountFen int64  // money
	Consent   Consent
	SetBy     string // who last recorded the consent ("" when never)
	SetAt     time.Time
}

// Thanked is a gift on the public list: what the public may read of it.
type Thanked struct {
	Kind    string
	At      time.Time
	Item    string // in kind: the item's name
	Consent Consent
}

// Store keeps consents.
type Store interface {
	// SetThanks records the consent of the donor of a gift of kind.
	// NotFound err.not_found when there is no such gift.
	SetThanks(ctx context.Context, kind, giftID string, c Consent, by string, at time.Time, e audit.Entry) error
	// Gifts lists the donations of both kinds received since, newest
	// first, at most limit, each with its consent.
	Gifts(ctx context.Context, since time.Time, limit int) ([]*Gift, error)
	// Thanked lists the gifts received since whose donor consents to be
	// thanked, newest first, at most limit.
	Thanked(ctx context.Context, since time.Time, limit int) ([]*Thanked, error)
}

// Service is public thanks.
type Service struct {
	Store Store
	Now   func() time.Time
}

// Set records a donor's consent for a gift: given, changed or withdrawn.
// The coordinator, who keeps in touch with donors, changes it; a
// withdrawn one takes the gift off the public list.
func (s *Service) Set(ctx context.Context, a auth.Actor, kind, giftID string, c Consent) error {
	const op = "thanks.Set"
	if err := a.Require(op, auth.PermVolunteersManage); err != nil {
		return err
	}
	if !slices.Contains([]string{Money, InKind}, kind) || giftID == "" {
		return errs.E(errs.NotFound, op, "err.not_found")
	}
	if f := c.Check(); f != nil {
		return errs.InvalidFields(op, f)
	}
	rec := "donation" // a money donation's record type, as volunteers.AddDonation writes it
	if kind == InKind {
		rec = "donation_in_kind"
	}
	e := a.Entry("donation.thanks", rec, giftID)
	e.Detail = c.Mode
	return s.Store.SetThanks(ctx, kind, giftID, c, a.Name, s.Now().UTC(), e)
}

// Gifts lists the last year's donations with their consents, for the
// coordinator.
func (s *Service) Gifts(ctx context.Context, a auth.Actor) ([]*Gift, error) {
	if err := a.Require("thanks.Gifts", auth.PermVolunteersManage); err != nil {
		return nil, err
	}
	return s.Store.Gifts(ctx, s.Now().Add(-Window), 300)
}

// Line is one line of the public thanks: a donor (by the chosen name, or
// anonymous) and what they gave in a month, with no amount or quantity.
type Line struct {
	Name  string // "" for an anonymous donor
	Month string // YYYY-MM, China time
	Money bool   // gave money
	Items []string
}

// Public is the public thanks: the last year's consenting gifts, newest
// month first. A named donor's gifts of one month make one line; each
// anonymous gift is a line of its own (two anonymous gifts need not be
// one person).
func (s *Service) Public(ctx context.Context, limit int) ([]*Line, error) {
	gifts, err := s.Store.Thanked(ctx, s.Now().Add(-Window), 500)
	if err != nil {
		return nil, err
	}
	var out []*Line
	byKey := map[string]*Line{}
	for _, g := range gifts {
		if !g.Consent.Public() { // the store answers only these; belt and braces
			continue
		}
		month := g.At.In(CST).Format("2006-01")
		name := ""
		if g.Consent.Mode == Named {
			name = g.Consent.Name
		}
		l := byKey[name+"\x00"+month]
		if l == nil || name == "" {
			if limit > 0 && len(out) == limit {
				continue
			}
			l = &Line{Name: name, Month: month}
			out = append(out, l)
			if name != "" {
				byKey[name+"\x00"+month] = l
			}
		}
		switch {
		case g.Kind == Money:
			l.Money = true
		case g.Item != "" && !slices.Contains(l.Items, g.Item):
			l.Items = append(l.Items, g.Item)
		}
	}
	return out, nil
}

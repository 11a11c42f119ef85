package cases

import (
	"slices"
	"time"

	"github.com/havenrescue/haven/internal/auth"
	"github.com/havenrescue/haven/internal/secret"
)

// What a reader sees of a person is decided here, once, for every page,
// printed form and export: the services hand out people and stays only
// through PersonFor and StayFor.
//
// The ID number is personal (auth.PermCasesPersonal). A reader without that
// permission sees it masked to its last four characters, and nothing else
// that gives its other digits back: not the region read from the number
// (its first six digits), not the birth date (the next eight; an age in
// years instead), and, while a number is on file, not the native place,
// the 户籍 or the residence written on the registration form, which name
// the number's region in all but its code. Relatives' addresses are
// withheld with their phone numbers. A birth date staff typed without a
// number is withheld too: it is the same eight digits the moment a number
// is found.

// PersonFor returns p as a may see it; p itself is not changed.
func PersonFor(a auth.Actor, p *Person, now time.Time) *Person {
	if p == nil || a.Can(auth.PermCasesPersonal) {
		return p
	}
	return Redacted(p, now)
}

// Redacted returns a copy of p for a reader who may not see the ID number:
// the birth date becomes the age at now; the region read from the number
// goes, and so do the native place and 户籍 while a number is on file.
func Redacted(p *Person, now time.Time) *Person {
	if p == nil {
		return nil
	}
	q := *p
	q.Flags = slices.Clone(p.Flags)
	if age, _, ok := p.AgeAt(now); ok && p.BirthDate != "" {
		q.AgeMin, q.AgeMax = age, max(age, 1) // under one: "0–1", an age range of 0–0 reads as unknown
	}
	q.BirthDate, q.IDBirth, q.IDRegion = "", "", ""
	if p.IDSealed != "" {
		q.NativePlace, q.Hukou = "", ""
	}
	return &q
}

// StayFor returns st as a may see it: for a reader who may not see the
// person's ID number, while one is on file, without the residence on the
// registration form (户口 and address) and, for a stay that ended with the
// person going home, without the destination and the ticket's route. A
// family collector's ID number is masked for everyone. st itself is not
// changed.
func StayFor(a auth.Actor, st *Stay, p *Person) *Stay {
	if st == nil {
		return nil
	}
	c := *st
	if col := st.Exit.Collector; col != nil {
		cc := *col
		cc.IDMasked = secret.Mask(cc.IDMasked) // stored masked; an older, longer mask is cut back
		c.Exit.Collector = &cc
	}
	if !a.Can(auth.PermCasesPersonal) && p != nil && p.IDSealed != "" {
		c.Form.Residence = ""
		switch st.ExitKind {
		case ExitReturnHome, ExitEscorted, ExitFamily: // where they went is home
			c.Exit.Destination = ""
			if v := st.Exit.Voucher; v != nil {
				vc := *v
				vc.Route = ""
				c.Exit.Voucher = &vc
			}
		}
	}
	return &c
}

// contactFor withholds a relative's address from a reader who may not see
// the relative's phone number.
func contactFor(a auth.Actor, c *Contact) *Contact {
	if a.Can(auth.PermCasesPersonal) {
		return c
	}
	cc := *c
	cc.Address = ""
	return &cc
}

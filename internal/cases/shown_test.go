package cases

import (
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/auth"
)

// TestPersonForWithholdsWhatRebuildsTheNumber: a reader without
// cases.personal gets an age for the birth date and no region, native
// place or 户籍 while a number is on file; staff get the record unchanged,
// and the record itself is never changed.
func TestPersonForWithholdsWhatRebuildsTheNumber(t *testing.T) {
	now := time.Date(2026, 12, 1, 8, 0, 0, 0, CST)
	p := &Person{ID: "p1", Name: "司马延生", BirthDate: "1975-03-02", IDSealed: "k1.sealed", IDBirth: "19750302", IDRegion: "河南省新乡市延津县",
		NativePlace: "河南省新乡市延津县", Hukou: "河南省新乡市延津县", Dialect: "河南话", Flags: []string{FlagElderly}}
	for _, r := range auth.Roles {
		a := auth.Actor{Role: r}
		q := PersonFor(a, p, now)
		if auth.RoleCan(r, auth.PermCasesPersonal) {
			if q != p {
				t.Errorf("%s: the record was changed for a reader who may see it all", r)
			}
			continue
		}
		if q.BirthDate != "" || q.IDBirth != "" || q.IDRegion != "" || q.NativePlace != "" || q.Hukou != "" {
			t.Errorf("%s sees %q %q %q %q %q", r, q.BirthDate, q.IDBirth, q.IDRegion, q.NativePlace, q.Hukou)
		}
		if lo, hi, ok := q.AgeAt(now); !ok || lo != 51 || hi != 51 {
			t.Errorf("%s: age %d–%d %v, want 51", r, lo, hi, ok)
		}
		if q.Dialect != "河南话" || q.Name != p.Name {
			t.Errorf("%s: more than the derived fields withheld: %+v", r, q)
		}
	}
	if p.BirthDate != "1975-03-02" || p.NativePlace == "" {
		t.Error("PersonFor changed the record itself")
	}
	// Without a number on file the native place is not derived and stays;
	// a typed birth date still goes (it is the number's eight digits the
	// moment one is found).
	u := &Person{ID: "p2", BirthDate: "2026-05-01", NativePlace: "四川"}
	q := Redacted(u, now)
	if q.NativePlace != "四川" || q.BirthDate != "" {
		t.Errorf("no number: %+v", q)
	}
	if lo, hi, ok := q.AgeAt(now); !ok || lo != 0 || hi != 1 {
		t.Errorf("a baby: age %d–%d %v, want 0–1", lo, hi, ok)
	}
	if !q.MinorAt(now) {
		t.Error("a baby is no longer a minor")
	}
}

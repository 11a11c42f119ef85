package tracing

import (
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/havenrescue/haven/internal/idcard"
)

// Every dialect of the table places someone in provinces, and only
// those: never in a county whose name the dialect's contains.
func TestEveryDialectResolvesToProvinces(t *testing.T) {
	for _, d := range Dialects() {
		ps := DialectProvinces(d)
		if len(ps) == 0 {
			t.Errorf("%s: no provinces", d)
		}
		for _, p := range ps {
			if !idcard.RegionOf(p + "0000").Known {
				t.Errorf("%s: %s is no province", d, p)
			}
		}
		r := &Record{ID: "x", Dialect: d}
		r.Prepare()
		if got := provincesOfRegion(&r.p.region); !slices.Equal(got, ps) {
			t.Errorf("%s: the record is placed in %v, want %v", d, got, ps)
		}
	}
	for text, want := range map[string][]string{
		"河北话":   {"13"},
		"东北话":   {"21", "22", "23"},
		"粤语":    {"44", "45", "81", "82"},
		"闽南话":   {"35", "71"},
		"一口四川话": {"50", "51"},
		"山东口音":  {"37"},
		"河南腔":   {"41"},
		"普通话":   nil,
	} {
		if got := DialectProvinces(text); !slices.Equal(got, want) {
			t.Errorf("DialectProvinces(%q) = %v, want %v", text, got, want)
		}
	}
	r := &Record{ID: "y", Dialect: "河北话"}
	r.Prepare()
	if r.Region != "130000" {
		t.Errorf("河北话 places someone at %s, want 130000 (河北省)", r.Region)
	}
}

// A dialect is evidence once: for the region, not also in the features.
func TestDialectIsCountedOnce(t *testing.T) {
	recs, _, err := ReadCSV(strings.NewReader("id,dialect,features\na,河南话,\nb,河南话,\n"), csvToday)
	if err != nil || len(recs) != 2 {
		t.Fatal(recs, err)
	}
	lv := Levels(recs[0], recs[1])
	for f, fd := range Fields {
		if (fd.Name == "features" || fd.Name == "clothing") && lv[f] != Unknown {
			t.Errorf("the dialect counts in %s too (level %d)", fd.Name, lv[f])
		}
	}
}

// Found before lost cannot be the same person: the time field says so
// and weighs heavily against it; found soon after lost is evidence for.
func TestFoundBeforeLostIsPenalised(t *testing.T) {
	day := func(s string) time.Time { t, _ := time.Parse("2006-01-02", s); return t }
	care := &Record{ID: "c", Seen: day("2019-05-01"), SeenIs: SeenFound}
	later := &Record{ID: "r1", Seen: day("2024-03-01"), SeenIs: SeenLost}
	before := &Record{ID: "r2", Seen: day("2019-04-20"), SeenIs: SeenLost}
	week := &Record{ID: "r3", Seen: day("2019-04-27"), SeenIs: SeenLost}
	misremembered := &Record{ID: "r4", Seen: day("2019-05-10"), SeenIs: SeenLost}
	tf := slices.IndexFunc(Fields, func(f Field) bool { return f.Name == "time" })
	if l := Levels(care, later)[tf]; l != 0 {
		t.Errorf("lost in 2024, found in 2019: time level %d, want 0", l)
	}
	if l := Levels(later, care)[tf]; l != 0 {
		t.Errorf("reversed: time level %d, want 0", l)
	}
	// The gap in steps (since tracing-4): within a week is the strongest,
	// 11 days within a month, and a found date nine days before the lost
	// date (misremembered, within the month's grace) as within a month.
	if l := Levels(care, week)[tf]; l != len(Fields[tf].Levels)-1 {
		t.Errorf("lost 4 days before found: time level %d", l)
	}
	for _, r := range []*Record{before, misremembered} {
		if l := Levels(care, r)[tf]; Fields[tf].Levels[l] != "within_1m" {
			t.Errorf("lost %s, found 2019-05-01: time level %s, want within_1m", r.Seen.Format("2006-01-02"), Fields[tf].Levels[l])
		}
	}
	if m := DefaultModel(); m.ScorePair(care, week) <= m.ScorePair(care, later) || m.ScorePair(care, week) < m.ScorePair(care, before) {
		t.Error("a gap of days does not rank above one of years, or of weeks")
	}
	m := DefaultModel()
	if w := m.Weight(tf, 0); w > -5 {
		t.Errorf("found before lost weighs %.1f bits, want a strong penalty", w)
	}
	if m.ScorePair(care, later) >= m.ScorePair(care, before) {
		t.Error("the report lost after the person was found ranks first")
	}
}

// Any text a record's dialect may hold places it in known provinces, or
// nowhere, and never panics.
func FuzzDialectProvinces(f *testing.F) {
	for _, s := range []string{"河北话", "粤语", "一口东北口音", "新乡口音", "", "ab", "话话话", "\xff"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		for _, p := range DialectProvinces(s) {
			if !idcard.RegionOf(p + "0000").Known {
				t.Fatalf("%q: %s is no province", s, p)
			}
		}
		r := &Record{ID: "f", Dialect: s}
		r.Prepare()
		if rg := dialectRegion(s); rg != "" && rg[0] != 'A' && !idcard.RegionOf(rg).Known {
			t.Fatalf("%q: region %s", s, rg)
		}
	})
}

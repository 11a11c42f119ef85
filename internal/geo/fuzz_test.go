package geo

import (
	"bytes"
	"testing"
	"unicode/utf8"
)

// FuzzGeocode: whatever a sender types, the geocoder answers without
// panicking, and a match is a named point of the city with a precision.
func FuzzGeocode(f *testing.F) {
	for _, s := range []string{"人民公园东门附近有人躺着", "人民路与和平路交叉口", "金穗大道东段", "新乡县人民路", "人民东路人民西路",
		"\xff\xfe人民", "ＡＢＣ人民　公园", "段", "路路路路", "红旗区红旗区卫滨区"} {
		f.Add(s)
	}
	g := Xinxiang()
	f.Fuzz(func(t *testing.T, text string) {
		m, ok := g.Geocode(text)
		if !ok {
			if m != (Match{}) {
				t.Fatalf("no match but %+v", m)
			}
			return
		}
		if m.Name == "" || !utf8.ValidString(m.Name) {
			t.Fatalf("match without a clean name: %+v", m)
		}
		switch m.Precision {
		case PrecisionPlace, PrecisionCrossing, PrecisionStreet, PrecisionDistrict:
		default:
			t.Fatalf("precision %q", m.Precision)
		}
		if m.Lat < 34.85 || m.Lat > 35.85 || m.Lng < 113.35 || m.Lng > 114.75 {
			t.Fatalf("%q placed outside the city: %+v", text, m)
		}
		for _, r := range g.Search(text, 5) {
			if r.Name == "" || !ValidPoint(r.Lat, r.Lng) {
				t.Fatalf("search result %+v", r)
			}
		}
	})
}

// FuzzParse: a gazetteer file of another city is read or refused with an
// error, never a panic, and what it reads can be matched by name.
func FuzzParse(f *testing.F) {
	f.Add([]byte("place\t东门广场\t广场东门\t35.1,113.2\nroad\t长江路\t-\t35.1,113.1 35.1,113.3\n"))
	f.Add([]byte("district\t新城区\t-\t35.1,113.2\n# comment\n"))
	f.Add([]byte("road\t长江路\t-\t35.1,113.1 35.1,113.1\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		g, err := Parse(bytes.NewReader(b))
		if err != nil {
			return
		}
		for _, e := range g.Entries() {
			if _, ok := g.Geocode(e.Name); !ok {
				t.Fatalf("%q does not find itself", e.Name)
			}
		}
	})
}

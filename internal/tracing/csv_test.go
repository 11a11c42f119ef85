package tracing

import (
	"bytes"
	"errors"
	"strings"
	"testing"
	"time"
)

var csvToday = time.Date(2026, 11, 28, 0, 0, 0, 0, time.UTC)

func TestReadCSV(t *testing.T) {
	in := "\xef\xbb\xbfid,name,aliases,sex,birth_date,age_min,age_max,seen_date,height_cm,id_number,native_place,features\n" +
		"p1,王建国,老王|建国,男,1970-05-01,,,2026-11-01,172,,410702,左臂烫伤疤痕\n" +
		"p2,,,女,,60,70,2026-11-02,,,,\"灰色棉衣, 说河南话\"\n" +
		"p3,李四,,X,,,,,,,,\n" + // bad sex
		"p4,张三,,,2030-01-01,,,,,,,\n" + // future birth
		"p5,赵五,,,,70,60,,,,,\n" + // ages reversed
		"p6,钱六,,,,,,,999,,,\n" + // height
		"p1,重复,,,,,,,,,,\n" // duplicate id
	recs, bad, err := ReadCSV(strings.NewReader(in), csvToday)
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != 2 || recs[0].ID != "p1" || len(recs[0].Names) != 3 || recs[0].Sex != 'M' || recs[0].Region != "410702" ||
		recs[1].AgeMax != 70 || !strings.Contains(recs[1].Features, "灰色棉衣") {
		t.Fatalf("records %+v", recs)
	}
	want := []string{"line 4, column sex", "line 5, column birth_date", "line 6, column age_min", "line 7, column height_cm", "line 8, column id"}
	if len(bad) != len(want) {
		t.Fatalf("bad rows %v", bad)
	}
	for i, w := range want {
		if !strings.HasPrefix(bad[i].Error(), w) {
			t.Errorf("bad row %d: %v, want %s…", i, bad[i], w)
		}
	}
	// GBK bytes for 王建国 are not UTF-8.
	if _, _, err := ReadCSV(bytes.NewReader([]byte("id,name\np1,\xcd\xf5\xbd\xa8\xb9\xfa\n")), csvToday); !errors.Is(err, ErrEncoding) {
		t.Fatalf("GBK file: %v", err)
	}
	for _, header := range []string{"name,sex\n", "id,nickname\n", "id,name,name\n", ""} {
		if _, _, err := ReadCSV(strings.NewReader(header), csvToday); err == nil {
			t.Errorf("header %q accepted", header)
		}
	}
}

func FuzzReadCSV(f *testing.F) {
	f.Add("id,name,birth_date\np1,王建国,1970\n")
	f.Add("id,age_min,age_max\np,\"3\n0\",x\n")
	f.Fuzz(func(t *testing.T, s string) {
		recs, bad, err := ReadCSV(strings.NewReader(s), csvToday)
		if err != nil {
			return
		}
		seen := map[string]bool{}
		for _, r := range recs {
			if r.ID == "" || seen[r.ID] || r.Birth.After(csvToday) || (r.AgeMax > 0 && r.AgeMin > r.AgeMax) {
				t.Fatalf("accepted %+v", r)
			}
			seen[r.ID] = true
		}
		for _, b := range bad {
			if b.Line < 1 {
				t.Fatalf("bad row without a line: %v", b)
			}
		}
	})
}

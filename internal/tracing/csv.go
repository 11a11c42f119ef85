package tracing

import (
	"bytes"
	"encoding/csv"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/havenrescue/haven/internal/idcard"
)

// Columns of the batch CSV format (all but id optional).
// seen_date is a date the person was seen when it is not said which;
// lost_date (a report) and found_date (a person in care) say which, and
// a person found before they went missing is not them.
var Columns = []string{"id", "name", "aliases", "sex", "birth_date", "age_min", "age_max", "seen_date", "lost_date", "found_date", "height_cm", "id_number",
	"native_place", "dialect", "place", "lat", "lon", "features"}

// RowError is a bad row: its line, the column and what is wrong.
type RowError struct {
	Line   int
	Column string
	Reason string
}

func (e RowError) Error() string {
	if e.Column == "" {
		return fmt.Sprintf("line %d: %s", e.Line, e.Reason)
	}
	return fmt.Sprintf("line %d, column %s: %s", e.Line, e.Column, e.Reason)
}

// ErrEncoding is returned for a file that is not UTF-8 (a GBK export,
// typically).
var ErrEncoding = errors.New("the file is not UTF-8 (a GBK or GB18030 export? save it as UTF-8)")

// MaxCSVBytes bounds a batch file.
const MaxCSVBytes = 512 << 20

// ReadCSV reads records from a batch CSV. Bad rows come back as
// RowErrors; they are not in the records (the caller decides whether to
// go on without them). A file-level problem (encoding, header) is an error.
func ReadCSV(r io.Reader, today time.Time) ([]*Record, []RowError, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxCSVBytes+1))
	if err != nil {
		return nil, nil, err
	}
	if len(data) > MaxCSVBytes {
		return nil, nil, fmt.Errorf("the file is larger than %d MiB", MaxCSVBytes>>20)
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf")) // a BOM from Excel
	if !utf8.Valid(data) {
		return nil, nil, ErrEncoding
	}
	cr := csv.NewReader(bytes.NewReader(data))
	cr.FieldsPerRecord = -1
	cr.TrimLeadingSpace = true
	header, err := cr.Read()
	if err != nil {
		return nil, nil, fmt.Errorf("line 1: no header row (%v)", err)
	}
	col := map[string]int{}
	for i, h := range header {
		h = strings.ToLower(strings.TrimSpace(h))
		known := false
		for _, c := range Columns {
			known = known || c == h
		}
		if !known {
			return nil, nil, fmt.Errorf("line 1: unknown column %q (the columns are %s)", h, strings.Join(Columns, ", "))
		}
		if _, dup := col[h]; dup {
			return nil, nil, fmt.Errorf("line 1: column %q twice", h)
		}
		col[h] = i
	}
	if _, ok := col["id"]; !ok {
		return nil, nil, fmt.Errorf("line 1: the id column is required")
	}
	var out []*Record
	var bad []RowError
	ids := map[string]int{}
	for {
		row, err := cr.Read()
		if err == io.EOF {
			break
		}
		if err != nil {
			var pe *csv.ParseError
			if errors.As(err, &pe) {
				bad = append(bad, RowError{Line: pe.Line, Reason: pe.Err.Error()})
				continue
			}
			return nil, nil, err
		}
		line, _ := cr.FieldPos(0)
		get := func(c string) string {
			if i, ok := col[c]; ok && i < len(row) {
				return strings.TrimSpace(row[i])
			}
			return ""
		}
		rec, e := parseRow(get, today)
		if e != nil {
			e.Line = line
			bad = append(bad, *e)
			continue
		}
		if first, dup := ids[rec.ID]; dup {
			bad = append(bad, RowError{Line: line, Column: "id", Reason: fmt.Sprintf("the id %q is also on line %d", rec.ID, first)})
			continue
		}
		ids[rec.ID] = line
		out = append(out, rec)
	}
	return out, bad, nil
}

func parseRow(get func(string) string, today time.Time) (*Record, *RowError) {
	fail := func(c, why string) (*Record, *RowError) { return nil, &RowError{Column: c, Reason: why} }
	r := &Record{ID: get("id"), HeightCm: 0, IDNumber: get("id_number"), NativePlace: get("native_place"), Dialect: get("dialect"),
		Place: get("place"), Features: get("features")} // the dialect places someone (Prepare); it is not a feature too
	if r.ID == "" {
		return fail("id", "empty")
	}
	if n := get("name"); n != "" {
		r.Names = append(r.Names, n)
	}
	for _, a := range strings.Split(get("aliases"), "|") {
		if a = strings.TrimSpace(a); a != "" {
			r.Names = append(r.Names, a)
		}
	}
	switch strings.ToUpper(get("sex")) {
	case "":
	case "M", "男", "MALE":
		r.Sex = 'M'
	case "F", "女", "FEMALE":
		r.Sex = 'F'
	default:
		return fail("sex", "want 男/女/M/F")
	}
	if v := get("birth_date"); v != "" {
		t, err := time.Parse("2006-01-02", v)
		if err != nil {
			t, err = time.Parse("2006", v)
			r.BirthYear = true
		}
		if err != nil || t.Year() < 1880 || t.After(today) {
			return fail("birth_date", "want a past date YYYY-MM-DD or a year YYYY")
		}
		r.Birth = t
	}
	for _, c := range []struct {
		col string
		is  byte
	}{{"seen_date", 0}, {"lost_date", SeenLost}, {"found_date", SeenFound}} {
		v := get(c.col)
		if v == "" {
			continue
		}
		t, err := time.Parse("2006-01-02", v)
		if err != nil || t.After(today.AddDate(0, 0, 1)) || t.Year() < 1950 {
			return fail(c.col, "want a past date YYYY-MM-DD")
		}
		if !r.Seen.IsZero() {
			return fail(c.col, "give one of seen_date, lost_date and found_date")
		}
		r.Seen, r.SeenIs = t, c.is
	}
	num := func(c string, lo, hi int) (int, *RowError) {
		v := get(c)
		if v == "" {
			return 0, nil
		}
		n, err := strconv.Atoi(v)
		if err != nil || n < lo || n > hi {
			return 0, &RowError{Column: c, Reason: fmt.Sprintf("want a whole number from %d to %d", lo, hi)}
		}
		return n, nil
	}
	var e *RowError
	if r.AgeMin, e = num("age_min", 0, 120); e != nil {
		return nil, e
	}
	if r.AgeMax, e = num("age_max", 0, 120); e != nil {
		return nil, e
	}
	if r.AgeMax > 0 && r.AgeMin > r.AgeMax {
		return fail("age_min", "larger than age_max")
	}
	if r.HeightCm, e = num("height_cm", 0, 250); e != nil {
		return nil, e
	}
	for _, c := range []string{"lat", "lon"} {
		if v := get(c); v != "" {
			f, err := strconv.ParseFloat(v, 64)
			if err != nil || f < -180 || f > 180 {
				return fail(c, "want decimal degrees")
			}
			if c == "lat" {
				r.Lat = f
			} else {
				r.Lon = f
			}
		}
	}
	if p := r.NativePlace; len(p) == 6 && idcard.RegionOf(p).Known {
		r.Region = p
	}
	return r, nil
}

// WriteResults writes matches as CSV: left_id, right_id, rank, score
// (the match probability), label, and the version of the model that
// scored them ("" when fitted on the run).
func WriteResults(w io.Writer, res []Result, model string) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"left_id", "right_id", "rank", "score", "label", "model"})
	for _, r := range res {
		_ = cw.Write([]string{r.Left, r.Right, strconv.Itoa(r.Rank), strconv.FormatFloat(r.Probability, 'f', 4, 64), r.Label, model})
	}
	cw.Flush()
	return cw.Error()
}

package points

import (
	"fmt"
	"strconv"
	"strings"
	"time"
)

// CST is China Standard Time: opening hours are local.
var CST = time.FixedZone("CST", 8*3600)

// Hours is when a point is open in a week: "24h", or lines such as
// "mon-fri 08:30-17:30; sat 09:00-12:00". A range past midnight says so:
// "daily 20:00-08:00+1" (or 20:00-次日08:00); an end before the start
// without it is a mistake, refused.
type Hours struct {
	Always bool
	Spans  []Span
	text   string
}

// Span is one opening range on some days of the week.
type Span struct {
	Days       [7]bool // Sunday first, as time.Weekday
	Start, End int     // minutes after midnight; End < Start: past midnight
}

// dayNames are the days as staff write them: English abbreviations, 周一 …
// 周日 and 星期一 … 星期日 (or 星期天).
var dayNames = map[string]time.Weekday{"sun": time.Sunday, "mon": time.Monday, "tue": time.Tuesday, "wed": time.Wednesday,
	"thu": time.Thursday, "fri": time.Friday, "sat": time.Saturday}

func init() {
	for i, c := range []string{"日", "一", "二", "三", "四", "五", "六"} {
		dayNames["周"+c] = time.Weekday(i)
		dayNames["星期"+c] = time.Weekday(i)
	}
	dayNames["周天"], dayNames["星期天"] = time.Sunday, time.Sunday
}

// normHours turns the full-width and Chinese ways of writing a range and a
// clock into the plain ones: "周一至周五 08：30～17：30" reads as
// "周一-周五 08:30-17:30".
var normHours = strings.NewReplacer("：", ":", "至", "-", "到", "-", "～", "-", "~", "-", "—", "-", "－", "-", "–", "-", "　", " ", " (next day)", "+1", "、", ",", "，", ",", ", ", ",")

// HoursError says what is wrong with an hours text, for the form.
type HoursError struct {
	Key    string // message key
	Detail string // the part that is wrong
}

func (e *HoursError) Error() string { return e.Key + ": " + e.Detail }

// ParseHours reads an hours text. Spans are separated by ";" or new
// lines; days are daily, a day (mon … sun) or a range (mon-fri, fri-mon).
func ParseHours(s string) (Hours, error) {
	s = strings.TrimSpace(strings.ToLower(s))
	h := Hours{text: s}
	s = normHours.Replace(s)
	if s == "24h" || s == "24/7" || s == "全天" || s == "全天24小时" || s == "24小时" || s == "24 小时" || s == "24 hours" {
		h.Always = true
		return h, nil
	}
	if s == "" {
		return h, &HoursError{"err.hours_empty", ""}
	}
	for _, part := range strings.FieldsFunc(s, func(r rune) bool { return r == ';' || r == '\n' || r == '；' }) {
		part = strings.TrimSpace(part)
		if part == "" {
			continue
		}
		fields := strings.Fields(part)
		if len(fields) != 2 {
			return Hours{}, &HoursError{"err.hours_format", part}
		}
		var sp Span
		if err := parseDays(fields[0], &sp.Days); err != nil {
			return Hours{}, &HoursError{"err.hours_days", fields[0]}
		}
		from, to, ok := strings.Cut(fields[1], "-")
		if !ok {
			return Hours{}, &HoursError{"err.hours_format", part}
		}
		var err error
		if sp.Start, err = clock(from); err != nil {
			return Hours{}, &HoursError{"err.hours_time", from}
		}
		next := false
		if t, ok := strings.CutSuffix(to, "+1"); ok {
			to, next = t, true
		} else if t, ok := strings.CutPrefix(to, "次日"); ok {
			to, next = t, true
		}
		if sp.End, err = clock(to); err != nil {
			return Hours{}, &HoursError{"err.hours_time", to}
		}
		switch {
		case sp.Start == sp.End && !next:
			return Hours{}, &HoursError{"err.hours_zero", fields[1]}
		case next && sp.End >= sp.Start:
			return Hours{}, &HoursError{"err.hours_too_long", fields[1]} // more than a day
		case !next && sp.End < sp.Start:
			return Hours{}, &HoursError{"err.hours_backwards", fields[1]}
		}
		h.Spans = append(h.Spans, sp)
	}
	if len(h.Spans) == 0 {
		return Hours{}, &HoursError{"err.hours_empty", ""}
	}
	return h, nil
}

func parseDays(s string, days *[7]bool) error {
	if list := strings.Split(s, ","); len(list) > 1 { // 周六、周日
		for _, one := range list {
			if err := parseDays(one, days); err != nil {
				return err
			}
		}
		return nil
	}
	if s == "daily" || s == "everyday" || s == "每天" || s == "每日" {
		for i := range days {
			days[i] = true
		}
		return nil
	}
	from, to, isRange := strings.Cut(s, "-")
	a, ok := dayNames[from]
	if !ok {
		return fmt.Errorf("day %q", from)
	}
	if !isRange {
		days[a] = true
		return nil
	}
	b, ok := dayNames[to]
	if !ok {
		return fmt.Errorf("day %q", to)
	}
	for d := a; ; d = (d + 1) % 7 {
		days[d] = true
		if d == b {
			return nil
		}
	}
}

// clock reads HH:MM (24:00 is the end of the day).
func clock(s string) (int, error) {
	hh, mm, ok := strings.Cut(strings.TrimSpace(s), ":")
	if !ok || len(hh) == 0 || len(hh) > 2 || len(mm) != 2 {
		return 0, fmt.Errorf("time %q", s)
	}
	h, err1 := strconv.Atoi(hh)
	m, err2 := strconv.Atoi(mm)
	if err1 != nil || err2 != nil || h < 0 || m < 0 || m > 59 || h > 24 || (h == 24 && m != 0) {
		return 0, fmt.Errorf("time %q", s)
	}
	return h*60 + m, nil
}

// String is the hours as typed (normalised).
func (h Hours) String() string { return h.text }

// OpenAt reports whether the hours cover t (any zone; read in CST).
func (h Hours) OpenAt(t time.Time) bool {
	if h.Always {
		return true
	}
	t = t.In(CST)
	now := t.Hour()*60 + t.Minute()
	today := t.Weekday()
	yesterday := (today + 6) % 7
	for _, sp := range h.Spans {
		if sp.End > sp.Start { // within one day
			if sp.Days[today] && now >= sp.Start && now < sp.End {
				return true
			}
			continue
		}
		// Past midnight: the evening of a listed day, or the early
		// morning after one.
		if sp.Days[today] && now >= sp.Start {
			return true
		}
		if sp.Days[yesterday] && now < sp.End {
			return true
		}
	}
	return false
}

// Season is a yearly date range (MM-DD to MM-DD, inclusive), possibly
// across the new year; the zero Season is the whole year.
type Season struct {
	From, To string // MM-DD
}

// ParseSeason reads two MM-DD dates; both empty is the whole year.
func ParseSeason(from, to string) (Season, error) {
	from, to = strings.TrimSpace(from), strings.TrimSpace(to)
	if from == "" && to == "" {
		return Season{}, nil
	}
	for _, v := range []string{from, to} {
		if _, err := time.Parse("01-02", v); err != nil {
			return Season{}, &HoursError{"err.season", v}
		}
	}
	return Season{From: from, To: to}, nil
}

// In reports whether t (read in CST) falls in the season.
func (s Season) In(t time.Time) bool {
	if s.From == "" {
		return true
	}
	d := t.In(CST).Format("01-02")
	if s.From <= s.To {
		return d >= s.From && d <= s.To
	}
	return d >= s.From || d <= s.To // 11-15 … 03-15
}

package store

import (
	"context"
	"database/sql"
	"strings"
	"time"

	"github.com/havenrescue/haven/internal/cases"
)

// OpenStaysPage implements cases.Store: served by stays_state (state,
// arrived_at).
func (db *DB) OpenStaysPage(ctx context.Context, limit, offset int) ([]*cases.Stay, error) {
	return list(ctx, db, db.r, "store.OpenStaysPage", `SELECT `+stayCols+` FROM stays WHERE state = 'open' ORDER BY arrived_at, id LIMIT ? OFFSET ?`,
		scanStay, limit, offset)
}

// ageAtLeast is the condition "the person (persons p) is at least the
// next argument's years old on the date (YYYY-MM-DD text) dateExpr",
// following Person.AgeAt: the birth date when known (the birthday itself
// counts), else the lower end of the estimate when there is one. It takes
// two arguments, both the number of years.
const ageAtLeast = `(CASE WHEN p.birth_date <> '' THEN CAST(CAST(substr(p.birth_date, 1, 4) AS INTEGER) + ? AS TEXT) || substr(p.birth_date, 5) <= %s
	ELSE p.age_max > 0 AND p.age_min >= ? END)`

// StationFigures implements cases.Store with two aggregate queries: one
// over the open stays (the people in care), one over the stays of the KPI
// period (q.CurrentOnly and q.KPIsOnly ask for one of them). Both follow
// cases.Rules.FiguresInGo.
func (db *DB) StationFigures(ctx context.Context, q cases.FigureQuery) (cases.Figures, error) {
	const op = "store.StationFigures"
	var f cases.Figures
	t := db.d.t
	tasks := func(alias, rule string) string {
		return " LEFT JOIN case_tasks " + alias + " ON " + alias + ".stay_id = s.id AND " + alias + ".rule = '" + rule + "'"
	}
	joins := tasks("tn", cases.RuleNotice) + tasks("td", cases.RuleDNA) + tasks("tr", cases.RuleAdultReview) +
		tasks("tu", cases.RuleNoticeUpdate) + tasks("tp", cases.RulePlacement)
	// Open stays. Each rule's deadline, when not done and still needed,
	// is overdue (o) or due soon (s) by the arrival thresholds.
	var args []any
	arg := func(v ...any) { args = append(args, v...) }
	noticeNeeded := "s.unidentified = 1 AND p.identified = 0 AND tn.stay_id IS NULL"
	dnaNeeded := "s.unidentified = 1 AND p.identified = 0 AND td.stay_id IS NULL"
	reviewNeeded := "p.mental NOT IN ('" + string(cases.MentalIllness) + "', '" + string(cases.MentalIntellectual) + "') AND tr.stay_id IS NULL AND " +
		strings.Replace(ageAtLeast, "%s", db.d.dateCST("s.arrived_at"), 1)
	updateNeeded := "s.unidentified = 1 AND p.identified = 0 AND tu.stay_id IS NULL"
	placeNeeded := "tp.stay_id IS NULL"
	updateDue := db.d.plusMonthsCST("s.arrived_at")
	var cols []string
	count := func(cond string, v ...any) {
		cols = append(cols, "COALESCE(SUM(CASE WHEN "+cond+" THEN 1 ELSE 0 END), 0)")
		arg(v...)
	}
	cols = append(cols, "COUNT(*)")
	count("p.identified = 0")
	count(`(',' || p.flags || ',') LIKE '%,`+cases.FlagMinor+`,%' OR (CASE WHEN p.birth_date <> ''
		THEN NOT (CAST(CAST(substr(p.birth_date, 1, 4) AS INTEGER) + 18 AS TEXT) || substr(p.birth_date, 5) <= ?)
		ELSE p.age_max > 0 AND p.age_min < 18 END)`, q.NowDate)
	// overdue: one count per rule, summed in Go
	count(noticeNeeded+" AND s.arrived_at < ?", t(q.NoticeOverdue))
	count(dnaNeeded+" AND s.arrived_at < ?", t(q.DNAOverdue))
	count(reviewNeeded+" AND s.arrived_at < ?", q.ReviewMinAge, q.ReviewMinAge, t(q.ReviewOverdue))
	count(updateNeeded+" AND "+updateDue+" < ?", q.NoticeUpdateMonths, t(q.Now))
	count(placeNeeded+" AND s.arrived_at < ?", t(q.PlacementOverdue))
	// due soon
	count(noticeNeeded+" AND s.arrived_at >= ? AND s.arrived_at <= ?", t(q.NoticeOverdue), t(q.NoticeDueSoon))
	count(dnaNeeded+" AND s.arrived_at >= ? AND s.arrived_at < ?", t(q.DNAOverdue), t(q.DNADueSoon))
	count(reviewNeeded+" AND s.arrived_at >= ? AND s.arrived_at <= ?", q.ReviewMinAge, q.ReviewMinAge, t(q.ReviewOverdue), t(q.ReviewDueSoon))
	count(updateNeeded+" AND "+updateDue+" >= ? AND "+updateDue+" <= ?", q.NoticeUpdateMonths, t(q.Now), q.NoticeUpdateMonths, t(q.Now.Add(q.DueSoon)))
	count(placeNeeded+" AND s.arrived_at >= ? AND s.arrived_at <= ?", t(q.PlacementOverdue), t(q.PlacementDueSoon))
	var over, soon [5]int
	dest := []any{&f.InStation, &f.Unidentified, &f.Minors}
	for i := range over {
		dest = append(dest, &over[i])
	}
	for i := range soon {
		dest = append(dest, &soon[i])
	}
	if !q.KPIsOnly {
		err := db.r.QueryRowContext(ctx, db.d.q(`SELECT `+strings.Join(cols, ", ")+` FROM stays s JOIN persons p ON p.id = s.person_id`+joins+
			` WHERE s.state = 'open'`), args...).Scan(dest...)
		if err != nil {
			return f, translate(op, err)
		}
		for i := range over {
			f.Overdue += over[i]
			f.DueSoon += soon[i]
		}
	}
	if q.CurrentOnly {
		return f, nil
	}

	// The KPI period. A notice or DNA deadline counts once done, or once
	// passed while still needed (by the exit for a stay that ended).
	args, cols = nil, nil
	// dd gives the DNA deadline by arrival day. On SQLite a day is keyed
	// by text slices of the timestamp, not by date arithmetic on every
	// row: a CST day is the UTC day before from 16:00 ("…1") and its own
	// UTC day until 16:00 ("…0").
	var days []string
	dayKey := db.d.dateCST("s.arrived_at")
	for _, dd := range q.DNADays {
		if db.d == postgresDialect {
			days = append(days, "(?, "+db.d.timeArg()+")")
			arg(dd.Day, t(dd.Due))
			continue
		}
		d, err := time.Parse("2006-01-02", dd.Day)
		if err != nil {
			return f, err
		}
		days = append(days, "(?, ?)", "(?, ?)")
		arg(d.AddDate(0, 0, -1).Format("2006-01-02")+"1", t(dd.Due), dd.Day+"0", t(dd.Due))
	}
	if db.d != postgresDialect {
		dayKey = "(substr(s.arrived_at, 1, 10) || (substr(s.arrived_at, 12, 2) >= '16'))"
	}
	if len(days) == 0 {
		days = append(days, "('', "+db.d.timeArg()+")")
		arg(t(q.Now))
	}
	end := "(CASE WHEN s.state <> 'open' AND s.exited_at IS NOT NULL THEN s.exited_at ELSE " + db.d.timeArg() + " END)"
	noticeDue := db.d.plusHours("s.arrived_at")
	cols = append(cols, "COUNT(*)", "COUNT(DISTINCT s.person_id)")
	entered := "s.entered_at <= " + db.d.plusHours("s.arrived_at")
	if db.d != postgresDialect {
		// entered on the UTC day of arrival is within 24 hours: no arithmetic
		entered = "substr(s.entered_at, 1, 10) = substr(s.arrived_at, 1, 10) OR " + entered
	}
	count(entered, 24)
	count("s.unidentified = 1")
	count("s.unidentified = 1 AND p.id IS NOT NULL AND (tn.stay_id IS NOT NULL OR (p.identified = 0 AND "+end+" > "+noticeDue+"))", t(q.Now), q.NoticeHours)
	count("s.unidentified = 1 AND p.id IS NOT NULL AND tn.done_at <= "+noticeDue, q.NoticeHours)
	count("s.unidentified = 1 AND p.id IS NOT NULL AND (td.stay_id IS NOT NULL OR (p.identified = 0 AND "+end+" > dd.due))", t(q.Now))
	count("s.unidentified = 1 AND p.id IS NOT NULL AND td.done_at <= dd.due")
	arg(t(q.Since), t(q.Until))
	k := &f.KPIs
	err := db.r.QueryRowContext(ctx, db.d.q(`WITH dd(day, due) AS (VALUES `+strings.Join(days, ", ")+`)
		SELECT `+strings.Join(cols, ", ")+` FROM stays s LEFT JOIN persons p ON p.id = s.person_id`+tasks("tn", cases.RuleNotice)+tasks("td", cases.RuleDNA)+
		` LEFT JOIN dd ON dd.day = `+dayKey+`
		WHERE s.arrived_at >= ? AND s.arrived_at < ? AND s.state <> '`+string(cases.StayRefused)+`'`), args...).
		Scan(&k.Stays, &f.HelpedThisYr, &k.EnteredInDay, &k.Unidentified, &k.NoticeDueOrLate, &k.NoticeInTime, &k.DNADueOrLate, &k.DNAInTime)
	if err != nil && err != sql.ErrNoRows {
		return f, translate(op, err)
	}
	k.Shares()
	return f, nil
}

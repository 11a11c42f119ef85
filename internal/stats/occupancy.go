package stats

// OccupancyCounts is what the store counts for the daily number of people
// in care: those in care when the period began, and each day's
// admissions and exits (YYYY-MM-DD in CST).
type OccupancyCounts struct {
	Start         int64
	Arrived, Left map[string]int64
}

// Occupancy is the number of people in care at the end of each day of
// the period: those in care when it began, plus the admissions and less
// the exits up to and including that day. A person admitted and gone
// the same day is not in care at its end.
func Occupancy(oc OccupancyCounts, p Period) []int64 {
	days := p.Days()
	out := make([]int64, len(days))
	n := oc.Start
	for i, d := range days {
		n += oc.Arrived[d] - oc.Left[d]
		out[i] = n
	}
	return out
}

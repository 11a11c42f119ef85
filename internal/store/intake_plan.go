package store

import (
	"time"

	"github.com/havenrescue/haven/internal/intake"
)

// candidate is an open incident read for a batch's merge lookup, with the
// grid cell it is filed under.
type candidate struct {
	inc    *intake.Incident
	cell   int64
	opened bool // opened by this batch, not stored yet
}

// mergeArea is where a signal's merge lookup looks: the grid cells around
// it, the box of its merge radius, and the start of its window.
type mergeArea struct {
	cells                          []int64
	minLat, minLng, maxLat, maxLng float64
	since                          time.Time
}

// areaOf is a signal's mergeArea; false for a signal without a place.
func areaOf(sub *intake.Submission) (mergeArea, bool) {
	s := sub.Signal
	if !s.HasLocation() {
		return mergeArea{}, false
	}
	pt := intake.Point{Lat: s.Lat, Lng: s.Lng}
	a := mergeArea{cells: intake.NearCells(pt), since: s.ReportedAt.Add(-sub.Merge.Window).UTC().Truncate(time.Microsecond)}
	a.minLat, a.minLng, a.maxLat, a.maxLng = intake.Box(pt, sub.Merge.RadiusM)
	return a, true
}

// batchPlan is what a group-commit batch writes: the incidents it opens
// (with their values after the batch's later signals joined them), the
// stored incidents it joins (one update each), the incidents whose events
// it appends, and each signal's result.
type batchPlan struct {
	opened  []*intake.Incident
	openers []*intake.Submission // the submission that opened each
	joined  []*joinedIncident
	changed []string
	results []*intake.Result
}

// joinedIncident sums a batch's joins of one stored incident.
type joinedIncident struct {
	id        string
	last, due time.Time // the latest report and the earliest due time of its new signals
	count     int
	at        time.Time
}

// planBatch decides which incident each signal of a batch joins or opens,
// as filing them one after another in one transaction would: every signal
// sees the stored candidates and the incidents the batch's earlier
// signals opened or joined, filtered as the SQL merge lookup filters them
// (grid cells around the signal, last heard of within the window, inside
// the radius's box, open and pinned). stored holds, for every signal, at
// least the stored candidates its own lookup would return.
func planBatch(batch []*pendingSignal, stored []*candidate) *batchPlan {
	plan := &batchPlan{results: make([]*intake.Result, len(batch))}
	// Candidates by grid cell, so that each signal looks only at the nine
	// cells around it, not at everything the batch read.
	storedIn := map[int64][]*candidate{}
	for _, c := range stored {
		storedIn[c.cell] = append(storedIn[c.cell], c)
	}
	touched := map[string]*candidate{}    // incidents the batch opened or joined, as they stand now
	touchedIn := map[int64][]*candidate{} // the same by cell, in the order touched
	touch := func(c *candidate) {
		touched[c.inc.ID] = c
		touchedIn[c.cell] = append(touchedIn[c.cell], c)
	}
	joined := map[string]*joinedIncident{}
	seen := map[string]bool{}
	for i, p := range batch {
		sub, s := p.sub, p.sub.Signal
		var chosen *candidate
		if a, ok := areaOf(sub); ok {
			match := func(c *candidate) bool {
				inc := c.inc
				return !inc.LastSignalAt.Before(a.since) &&
					inc.Lat >= a.minLat && inc.Lat <= a.maxLat && inc.Lng >= a.minLng && inc.Lng <= a.maxLng &&
					inc.State.Open() && (precisionOf(inc) == string(intake.PrecisionExact) || precisionOf(inc) == string(intake.PrecisionPlaced))
			}
			var cands []*intake.Incident
			byInc := map[*intake.Incident]*candidate{}
			for _, cell := range a.cells {
				for _, c := range storedIn[cell] {
					if touched[c.inc.ID] == nil && match(c) {
						cands = append(cands, c.inc)
						byInc[c.inc] = c
					}
				}
			}
			for _, cell := range a.cells {
				for _, c := range touchedIn[cell] {
					if match(c) {
						cands = append(cands, c.inc)
						byInc[c.inc] = c
					}
				}
			}
			if inc := sub.Merge.Choose(cands, s); inc != nil {
				chosen = byInc[inc]
			}
		}
		res := &intake.Result{Signal: s}
		if chosen != nil {
			inc, due := chosen.inc, sub.NewIncident.DueAt
			inc.Join(s, due, sub.Now)
			if touched[inc.ID] == nil {
				touch(chosen)
			}
			if !chosen.opened {
				j := joined[inc.ID]
				if j == nil {
					j = &joinedIncident{id: inc.ID, last: s.ReportedAt, due: due}
					joined[inc.ID] = j
					plan.joined = append(plan.joined, j)
				}
				if s.ReportedAt.After(j.last) {
					j.last = s.ReportedAt
				}
				if due.Before(j.due) {
					j.due = due
				}
				j.count++
				j.at = sub.Now
			}
			snap := *inc
			res.Merged, res.Incident = true, &snap
		} else {
			// The signal's result keeps the incident as this signal opened
			// it; the batch's later joins change the copy that is stored.
			n := *sub.NewIncident
			c := &candidate{inc: &n, cell: intake.Cell(intake.Point{Lat: n.Lat, Lng: n.Lng}), opened: true}
			touch(c)
			plan.opened = append(plan.opened, &n)
			plan.openers = append(plan.openers, sub)
			s.IncidentID = n.ID
			res.Incident = sub.NewIncident
		}
		plan.results[i] = res
		if !seen[s.IncidentID] {
			seen[s.IncidentID] = true
			plan.changed = append(plan.changed, s.IncidentID)
		}
	}
	return plan
}

package family

// SetBuildPageForTest sets how many person records the build reads at a
// time (a few, to test the paging) and returns a func that restores it.
func SetBuildPageForTest(n int) func() {
	old := buildPage
	buildPage = n
	return func() { buildPage = old }
}

// IndexedForTest reports whether this node's index holds the record
// ("p:…" a person, "r:…" an open report).
func (s *Service) IndexedForTest(id string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.idx == nil {
		return false
	}
	return s.idx.people.Get(id) != nil || s.idx.reports.Get(id) != nil
}

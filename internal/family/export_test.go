package family

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

package observe

import "sync"

// ring keeps copies of the last records, for Explain. A put is one short
// critical section; a find scans newest first, which only an operator's
// explain request pays for.
type ring struct {
	mu    sync.Mutex
	slots []Record
	next  int
	full  bool
}

func newRing(n int) *ring { return &ring{slots: make([]Record, n)} }

func (r *ring) put(rec *Record) {
	r.mu.Lock()
	r.slots[r.next] = *rec
	r.next++
	if r.next == len(r.slots) {
		r.next, r.full = 0, true
	}
	r.mu.Unlock()
}

func (r *ring) find(id string) (Record, bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	n := r.next
	if r.full {
		n = len(r.slots)
	}
	for i := 1; i <= n; i++ {
		j := (r.next - i + len(r.slots)) % len(r.slots)
		if r.slots[j].ID == id {
			return r.slots[j], true
		}
	}
	return Record{}, false
}

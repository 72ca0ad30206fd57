package observe

import "strconv"

// knownStatuses are the statuses counted by their own value. Any other is
// counted in its class ("2xx", "5xx"...), so the counters stay a fixed table
// however odd an upstream's answers are.
var knownStatuses = []int{
	200, 201, 202, 204, 206, 301, 302, 304, 307, 308,
	400, 401, 403, 404, 405, 406, 408, 409, 412, 413, 414, 415, 416, 417, 422, 429, 431, 499,
	500, 501, 502, 503, 504, 505,
}

// statusSlots is the number of status slots: the known ones, then one per class 1xx..5xx,
// then one for a status outside 100..599.
var statusSlots = len(knownStatuses) + 6

// statusIndex maps a status to its slot; statusSlot holds it for 0..599.
var statusIndex = func() [600]uint8 {
	var t [600]uint8
	for s := range t {
		t[s] = uint8(len(knownStatuses) + 5)
		if s >= 100 {
			t[s] = uint8(len(knownStatuses) + s/100 - 1)
		}
	}
	for i, s := range knownStatuses {
		t[s] = uint8(i)
	}
	return t
}()

func statusSlot(status int) int {
	if status < 0 || status >= len(statusIndex) {
		return statusSlots - 1
	}
	return int(statusIndex[status])
}

// statusLabel is the label value of a slot.
func statusLabel(slot int) string {
	switch {
	case slot < len(knownStatuses):
		return strconv.Itoa(knownStatuses[slot])
	case slot < statusSlots-1:
		return strconv.Itoa(slot-len(knownStatuses)+1) + "xx"
	}
	return "other"
}

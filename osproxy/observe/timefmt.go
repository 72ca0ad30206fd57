package observe

import (
	"sync/atomic"
	"time"
)

// secondText is the formatted date and time of one second, shared by every
// line written within it.
type secondText struct {
	unix int64
	text []byte // "2006-01-02T15:04:05"
}

var lastSecond atomic.Pointer[secondText]

// appendTime appends t in UTC as RFC 3339 with nanoseconds, trailing zeros of
// the fraction trimmed (time.RFC3339Nano), formatting the date and time of day
// once a second rather than once a line.
func appendTime(b []byte, t time.Time) []byte {
	t = t.UTC()
	sec := t.Unix()
	st := lastSecond.Load()
	if st == nil || st.unix != sec {
		st = &secondText{unix: sec, text: t.AppendFormat(nil, "2006-01-02T15:04:05")}
		lastSecond.Store(st)
	}
	b = append(b, st.text...)
	if ns := t.Nanosecond(); ns != 0 {
		var frac [10]byte
		frac[0] = '.'
		for i := 9; i >= 1; i-- {
			frac[i] = byte('0' + ns%10)
			ns /= 10
		}
		n := 10
		for frac[n-1] == '0' {
			n--
		}
		b = append(b, frac[:n]...)
	}
	return append(b, 'Z')
}

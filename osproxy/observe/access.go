package observe

import (
	"context"
	"log/slog"
	"strconv"
	"time"
)

// logRecord writes r's access-log line at level INFO with message "request": the
// request id, method, mode, endpoint class, status, byte counts, duration, and,
// when they apply, the cluster, the error code, the upstream's status and timing
// or failure, and which side cut the response short. Nothing from the request's
// path, headers or body.
//
// Through this package's JSONHandler the line is encoded straight from the
// record, with no slog.Attr built: a line per request must cost little. Any
// other handler gets the same fields as a slog.Record.
func (m *Metrics) logRecord(r *Record) {
	ctx := context.Background()
	if !m.log.Enabled(ctx, slog.LevelInfo) {
		return
	}
	at := r.Start.Add(r.Duration)
	if h, ok := m.log.(*JSONHandler); ok {
		_ = h.handleFields(at, slog.LevelInfo, "request", func(b []byte) []byte { return m.appendAccess(b, r) })
		return
	}
	rec := slog.NewRecord(at, slog.LevelInfo, "request", 0)
	rec.AddAttrs(
		slog.String("id", r.ID), slog.String("method", r.Method), slog.String("mode", r.Mode.String()),
		slog.String("class", m.ClassName(r.Class)), slog.Int("status", r.Status),
		slog.Int64("bytes_in", r.BytesIn), slog.Int64("bytes_out", r.BytesOut),
		slog.Float64("duration_ms", ms(r.Duration)))
	if name := m.ClusterName(r.Cluster); name != "" {
		rec.AddAttrs(slog.String("cluster", name))
	}
	if r.Code != "" {
		rec.AddAttrs(slog.String("code", r.Code))
	}
	if u := r.Upstream; u.Status > 0 {
		rec.AddAttrs(slog.Int("upstream_status", u.Status))
	}
	if u := r.Upstream; u.Sent {
		rec.AddAttrs(slog.Float64("upstream_ms", ms(u.Head)))
	}
	if u := r.Upstream; u.Failure != NoFailure {
		rec.AddAttrs(slog.String("upstream_failure", u.Failure.String()))
	}
	if r.Abort != NoAbort {
		rec.AddAttrs(slog.String("abort", r.Abort.String()))
	}
	_ = m.log.Handle(ctx, rec)
}

// appendAccess appends the access-log fields of r, each preceded by a comma,
// in the order and with the values of logRecord's slog.Record.
func (m *Metrics) appendAccess(b []byte, r *Record) []byte {
	b = appendStringField(b, "id", r.ID)
	b = appendStringField(b, "method", r.Method)
	b = appendStringField(b, "mode", r.Mode.String())
	b = appendStringField(b, "class", m.ClassName(r.Class))
	b = appendIntField(b, "status", int64(r.Status))
	b = appendIntField(b, "bytes_in", r.BytesIn)
	b = appendIntField(b, "bytes_out", r.BytesOut)
	b = appendMSField(b, "duration_ms", r.Duration)
	if name := m.ClusterName(r.Cluster); name != "" {
		b = appendStringField(b, "cluster", name)
	}
	if r.Code != "" {
		b = appendStringField(b, "code", r.Code)
	}
	if u := r.Upstream; u.Status > 0 {
		b = appendIntField(b, "upstream_status", int64(u.Status))
	}
	if u := r.Upstream; u.Sent {
		b = appendMSField(b, "upstream_ms", u.Head)
	}
	if u := r.Upstream; u.Failure != NoFailure {
		b = appendStringField(b, "upstream_failure", u.Failure.String())
	}
	if r.Abort != NoAbort {
		b = appendStringField(b, "abort", r.Abort.String())
	}
	return b
}

func appendKey(b []byte, key string) []byte {
	b = append(b, ',', '"')
	b = append(b, key...) // keys are this file's constants: nothing to escape
	return append(b, '"', ':')
}

func appendStringField(b []byte, key, v string) []byte { return appendString(appendKey(b, key), v) }

func appendIntField(b []byte, key string, v int64) []byte {
	return strconv.AppendInt(appendKey(b, key), v, 10)
}

// appendMSField appends d in milliseconds with three decimals (to the
// microsecond), by integer arithmetic: a float's formatting costs more than the
// rest of the line.
func appendMSField(b []byte, key string, d time.Duration) []byte {
	b = appendKey(b, key)
	us := d.Microseconds()
	if us < 0 {
		b, us = append(b, '-'), -us
	}
	b = strconv.AppendInt(b, us/1000, 10)
	frac := us % 1000
	return append(b, '.', byte('0'+frac/100), byte('0'+frac/10%10), byte('0'+frac%10))
}

// ms is d in milliseconds, to the microsecond.
func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

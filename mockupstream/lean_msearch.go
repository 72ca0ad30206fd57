package mockupstream

import (
	"bytes"
	"net"
	"strings"
)

// A multi-search answer: one search response of ten hits per item, each with the
// status OpenSearch adds to an item. The request has two lines per item.

func (s Shape) msearchBody(items int) string {
	item := s.searchPrefix(10) + `,"status":200}`
	var b strings.Builder
	b.WriteString(`{"took":1,"responses":[`)
	for i := 0; i < items; i++ {
		if i > 0 {
			b.WriteByte(',')
		}
		b.WriteString(item)
	}
	b.WriteString(`]}`)
	return b.String()
}

// isMultiSearch reports whether a path is a multi-search.
func isMultiSearch(path []byte) bool { return bytes.HasSuffix(path, []byte("/_msearch")) }

func (s *LeanServer) multiSearch(nc net.Conn, in *inspector) error {
	s.byRoute[leanSearch].Add(1)
	_, err := nc.Write(s.msrch.get(max(in.lines/2, 1)))
	return err
}

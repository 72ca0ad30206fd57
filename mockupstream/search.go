package mockupstream

import (
	"net/http"
	"strconv"
	"strings"
)

type searchEnvelope struct {
	head, tail string
	blob       int64
	frame      []byte
}

// SearchEnvelope answers 200 with a search response shaped like OpenSearch's:
// took, timed_out, _shards, and hits whose total is len(hits) and whose hits
// array holds each element of hits verbatim (they must be JSON objects). When
// aggBytes > 0 the response also carries "aggregations":{"blob":"aaa…"} with
// aggBytes letters, generated while writing so that a huge aggregation costs
// one frame. Content-Length is set.
func SearchEnvelope(hits []string, aggBytes int64) Responder {
	var head strings.Builder
	head.WriteString(searchHead(hits))
	tail := `}`
	if aggBytes > 0 {
		head.WriteString(`,"aggregations":{"blob":"`)
		tail = `"}}`
	}
	aggBytes = max(aggBytes, 0)
	return &searchEnvelope{
		head:  head.String(),
		tail:  tail,
		blob:  aggBytes,
		frame: filledFrame('a', aggBytes),
	}
}

// searchHead is a search response shaped like OpenSearch's up to the end of
// hits, where a sibling such as aggregations may follow: took, timed_out,
// _shards, and hits whose total is len(hits) and whose hits array holds each
// element verbatim. Both the scripted SearchEnvelope and the lean server's
// canned searches are built on it.
func searchHead(hits []string) string {
	maxScore := "null"
	if len(hits) > 0 {
		maxScore = "1.0"
	}
	var b strings.Builder
	b.WriteString(`{"took":1,"timed_out":false,`)
	b.WriteString(`"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},`)
	b.WriteString(`"hits":{"total":{"value":` + strconv.Itoa(len(hits)) + `,"relation":"eq"},`)
	b.WriteString(`"max_score":` + maxScore + `,"hits":[`)
	b.WriteString(strings.Join(hits, ","))
	b.WriteString(`]}`)
	return b.String()
}

func (e *searchEnvelope) Respond(w http.ResponseWriter, _ *Request) {
	size := int64(len(e.head)) + e.blob + int64(len(e.tail))
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Content-Length", strconv.FormatInt(size, 10))
	w.WriteHeader(http.StatusOK)
	if _, err := w.Write([]byte(e.head)); err != nil {
		return
	}
	if err := writeRepeated(w, e.frame, e.blob); err != nil {
		return
	}
	_, _ = w.Write([]byte(e.tail))
}

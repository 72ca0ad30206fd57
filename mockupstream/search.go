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
	maxScore := "null"
	if len(hits) > 0 {
		maxScore = "1.0"
	}
	var head strings.Builder
	head.WriteString(`{"took":1,"timed_out":false,`)
	head.WriteString(`"_shards":{"total":1,"successful":1,"skipped":0,"failed":0},`)
	head.WriteString(`"hits":{"total":{"value":` + strconv.Itoa(len(hits)) + `,"relation":"eq"},`)
	head.WriteString(`"max_score":` + maxScore + `,"hits":[`)
	head.WriteString(strings.Join(hits, ","))
	head.WriteString(`]}`)
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

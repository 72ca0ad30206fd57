package mockupstream

import (
	"bytes"
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"testing"
)

func TestCanned_Scripts_WriteExactResponse(t *testing.T) {
	tests := []struct {
		name       string
		r          Responder
		wantStatus int
		wantHeader http.Header
		wantBody   string
	}{
		{"JSON", JSON(http.StatusCreated, `{"a":1}`), 201,
			http.Header{"Content-Type": {"application/json"}, "Content-Length": {"7"}}, `{"a":1}`},
		{"canned with repeated header", Canned(http.StatusAccepted, http.Header{"Content-Type": {"text/plain"}, "X-B": {"1", "2"}}, []byte("hi")), 202,
			http.Header{"Content-Type": {"text/plain"}, "X-B": {"1", "2"}, "Content-Length": {"2"}}, "hi"},
		{"canned with its own framing", Canned(http.StatusOK, http.Header{"Transfer-Encoding": {"chunked"}}, []byte("hi")), 200,
			http.Header{"Content-Length": nil}, "hi"},
		{"generated beyond one frame", Generated(http.StatusOK, http.Header{"Content-Type": {"application/octet-stream"}}, 70000, 'z'), 200,
			http.Header{"Content-Type": {"application/octet-stream"}, "Content-Length": {"70000"}}, strings.Repeat("z", 70000)},
		{"generated empty", Generated(http.StatusOK, nil, 0, 'z'), 200, http.Header{"Content-Length": {"0"}}, ""},
		{"generated negative size is empty", Generated(http.StatusOK, nil, -5, 'z'), 200, http.Header{"Content-Length": {"0"}}, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			s.Handle("", "/*", tt.r)
			got := rawRoundTrip(t, s, "GET /x HTTP/1.1\r\nHost: h\r\n\r\n")
			if got.status != tt.wantStatus || string(got.body) != tt.wantBody {
				t.Errorf("got %d with %d bytes, want %d with %d", got.status, len(got.body), tt.wantStatus, len(tt.wantBody))
			}
			for k, want := range tt.wantHeader {
				if g := got.header.Values(k); !slices.Equal(g, want) {
					t.Errorf("header %s = %q, want %q", k, g, want)
				}
			}
		})
	}
}

type searchBody struct {
	Took     int            `json:"took"`
	TimedOut bool           `json:"timed_out"`
	Shards   map[string]int `json:"_shards"`
	Hits     struct {
		Total struct {
			Value    int    `json:"value"`
			Relation string `json:"relation"`
		} `json:"total"`
		MaxScore *float64          `json:"max_score"`
		Hits     []json.RawMessage `json:"hits"`
	} `json:"hits"`
	Aggregations *struct {
		Blob string `json:"blob"`
	} `json:"aggregations"`
}

func TestSearchEnvelope_Shapes_ValidSearchResponse(t *testing.T) {
	tests := []struct {
		name     string
		hits     []string
		aggBytes int64
	}{
		{"no hits no aggregations", nil, 0},
		{"hits verbatim", []string{`{"_index":"i","_id":"1","_source":{"a":1}}`, `{"_id":"2","_source":{}}`}, 0},
		{"aggregation across frames", []string{`{"_id":"1"}`}, 1<<20 + 3},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			s.Handle("POST", "/i/_search", SearchEnvelope(tt.hits, tt.aggBytes))
			got := do(t, newClient(t, true), "POST", s.URL()+"/i/_search", strings.NewReader(`{}`), nil)
			if got.header.Get("Content-Length") != strconv.Itoa(len(got.body)) || got.status != http.StatusOK {
				t.Fatalf("status %d, Content-Length %q for %d bytes", got.status, got.header.Get("Content-Length"), len(got.body))
			}
			var env searchBody
			if err := json.Unmarshal(got.body, &env); err != nil {
				t.Fatalf("response is not JSON: %v", err)
			}
			if env.Took != 1 || env.TimedOut || env.Shards["total"] != 1 || env.Shards["failed"] != 0 {
				t.Errorf("envelope = %+v", env)
			}
			if env.Hits.Total.Value != len(tt.hits) || env.Hits.Total.Relation != "eq" || (env.Hits.MaxScore == nil) != (len(tt.hits) == 0) {
				t.Errorf("hits header = %+v", env.Hits)
			}
			if len(env.Hits.Hits) != len(tt.hits) {
				t.Fatalf("%d hits, want %d", len(env.Hits.Hits), len(tt.hits))
			}
			for i, h := range env.Hits.Hits {
				if string(h) != tt.hits[i] {
					t.Errorf("hit %d = %s, want %s verbatim", i, h, tt.hits[i])
				}
			}
			wantAgg := tt.aggBytes > 0
			if (env.Aggregations != nil) != wantAgg {
				t.Fatalf("aggregations present = %v, want %v", env.Aggregations != nil, wantAgg)
			}
			if wantAgg && env.Aggregations.Blob != strings.Repeat("a", int(tt.aggBytes)) {
				t.Errorf("blob has %d bytes, want %d of 'a'", len(env.Aggregations.Blob), tt.aggBytes)
			}
		})
	}
}

func TestEcho_Bodies_StreamedBackAndRecorded(t *testing.T) {
	const big = 1<<20 + 5
	tests := []struct {
		name     string
		body     func() io.Reader
		header   http.Header
		wantCT   string
		wantHash string
		wantLen  int64
	}{
		{"no body", func() io.Reader { return nil }, nil, "application/octet-stream", sha256Of(nil), 0},
		{"content type echoed", func() io.Reader { return strings.NewReader("{}\n") },
			http.Header{"Content-Type": {"application/x-ndjson"}}, "application/x-ndjson", sha256Of([]byte("{}\n")), 3},
		{"chunked beyond the prefix", func() io.Reader { return newPatternReader(big) }, nil,
			"application/octet-stream", sha256Hex(t, newPatternReader(big)), big},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			s.Handle("", "/echo", Echo(http.StatusAccepted))
			got := do(t, newClient(t, true), "POST", s.URL()+"/echo", tt.body(), tt.header)
			if got.status != http.StatusAccepted || got.header.Get("Content-Type") != tt.wantCT {
				t.Errorf("status %d, content type %q", got.status, got.header.Get("Content-Type"))
			}
			if sha256Of(got.body) != tt.wantHash {
				t.Errorf("echoed %d bytes that differ from the %d sent", len(got.body), tt.wantLen)
			}
			rec, _ := s.LastRequest()
			if rec.BodySize != tt.wantLen || rec.BodySHA256 != tt.wantHash || !rec.BodyComplete {
				t.Errorf("recorded size %d hash %s complete %v", rec.BodySize, rec.BodySHA256, rec.BodyComplete)
			}
			if want := min(tt.wantLen, DefaultMaxRecordedBody); int64(len(rec.BodyPrefix)) != want {
				t.Errorf("prefix has %d bytes, want %d", len(rec.BodyPrefix), want)
			}
		})
	}
}

func TestEcho_BodyStillArriving_AnswersEachPieceAtOnce(t *testing.T) {
	s := startServer(t, Options{})
	s.Handle("", "/*", Echo(http.StatusOK))
	pr, pw := io.Pipe()
	defer pw.Close()
	req, err := http.NewRequestWithContext(waitContext(t), "POST", s.URL()+"/echo", pr)
	if err != nil {
		t.Fatalf("building the request: %v", err)
	}
	resp, err := newClient(t, true).Do(req)
	if err != nil {
		t.Fatalf("sending: %v", err)
	}
	defer resp.Body.Close()
	// Each piece must come back before the next is sent: a mock that waited
	// for the whole body would deadlock here until the context expired.
	for _, piece := range []string{"hello", " streaming", " world"} {
		if _, err := io.WriteString(pw, piece); err != nil {
			t.Fatalf("sending %q: %v", piece, err)
		}
		got := make([]byte, len(piece))
		if _, err := io.ReadFull(resp.Body, got); err != nil || string(got) != piece {
			t.Fatalf("echo of %q = %q, %v", piece, got, err)
		}
	}
	pw.Close()
	if rest, err := io.ReadAll(resp.Body); err != nil || len(rest) != 0 {
		t.Errorf("after the body ended: %q, %v", rest, err)
	}
}

func TestSequence_Calls_AdvanceThenRepeatLast(t *testing.T) {
	tests := []struct {
		name string
		r    Responder
		want []string
	}{
		{"empty answers the default", Sequence(), []string{`{"acknowledged":true}`, `{"acknowledged":true}`}},
		{"one repeats", Sequence(JSON(200, "a")), []string{"a", "a", "a"}},
		{"advances then repeats the last", Sequence(JSON(200, "a"), JSON(503, "b")), []string{"a", "b", "b", "b"}},
		{"nested sequence advances once per call", Sequence(Sequence(JSON(200, "a"), JSON(200, "b")), JSON(200, "c")),
			[]string{"a", "c", "c"}},
		{"echo then drained", Sequence(Echo(200), JSON(200, "drained")), []string{"body", "drained", "drained"}},
		{"inside a wrapper", HeadersOut(nil, Sequence(JSON(200, "a"), Echo(200))), []string{"a", "body", "body"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			s.Handle("", "/*", tt.r)
			c := newClient(t, true)
			for i, want := range tt.want {
				got := do(t, c, "POST", s.URL()+"/x", strings.NewReader("body"), nil)
				if string(got.body) != want {
					t.Errorf("call %d = %q, want %q", i, got.body, want)
				}
			}
			for _, rec := range s.Requests() {
				if rec.BodySize != 4 || !rec.BodyComplete {
					t.Errorf("recorded body %d complete %v, want all 4 bytes", rec.BodySize, rec.BodyComplete)
				}
			}
		})
	}
}

func TestHeadersOut_Wrapped_AddsAfterInnerHeaders(t *testing.T) {
	extra := http.Header{"Keep-Alive": {"timeout=5"}, "Proxy-Authenticate": {"Basic"}, "X-Dup": {"outer"}}
	tests := []struct {
		name     string
		inner    Responder
		wantDup  []string
		wantCT   string
		wantBody string
	}{
		{"over JSON", JSON(200, "{}"), []string{"outer"}, "application/json", "{}"},
		{"over a duplicate", Canned(200, http.Header{"X-Dup": {"inner"}}, []byte("x")), []string{"inner", "outer"}, "", "x"},
		{"over a responder that writes nothing", ResponderFunc(func(http.ResponseWriter, *Request) {}), []string{"outer"}, "", ""},
		{"over a streaming echo", Echo(200), []string{"outer"}, "text/plain", "body"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, Options{})
			s.Handle("", "/*", HeadersOut(extra, tt.inner))
			got := do(t, newClient(t, true), "POST", s.URL()+"/x", strings.NewReader("body"),
				http.Header{"Content-Type": {"text/plain"}})
			if !slices.Equal(got.header.Values("X-Dup"), tt.wantDup) || got.header.Get("Keep-Alive") != "timeout=5" ||
				got.header.Get("Proxy-Authenticate") != "Basic" {
				t.Errorf("header = %v", got.header)
			}
			if tt.wantCT != "" && got.header.Get("Content-Type") != tt.wantCT {
				t.Errorf("content type = %q, want %q", got.header.Get("Content-Type"), tt.wantCT)
			}
			if !bytes.Equal(got.body, []byte(tt.wantBody)) {
				t.Errorf("body = %q, want %q", got.body, tt.wantBody)
			}
		})
	}
}

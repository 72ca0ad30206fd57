package query

import "testing"

// typicalSearch is a 1 KiB search body of the kind a dashboard sends: a bool query with
// full-text and range clauses, a sort, source filtering, highlighting and two
// aggregations.
var typicalSearch = []byte(`{"size":20,"from":0,"track_total_hits":true,
 "query":{"bool":{"must":[{"multi_match":{"query":"anvil delivery","fields":["title^2","body"],"operator":"and"}}],
  "filter":[{"range":{"created":{"gte":"now-7d/d","lt":"now/d"}}},{"terms":{"status":["open","pending"]}},
   {"term":{"region":"emea"}}],"should":[{"match_phrase":{"title":{"query":"next day","slop":1}}}],
  "must_not":[{"exists":{"field":"deleted_at"}}]}},
 "sort":[{"created":{"order":"desc"}},"_score",{"_id":"asc"}],
 "_source":{"includes":["title","status","created","customer.*"],"excludes":["body"]},
 "highlight":{"pre_tags":["<b>"],"post_tags":["</b>"],"fields":{"title":{},"body":{"fragment_size":120,"number_of_fragments":2}}},
 "aggs":{"by_status":{"terms":{"field":"status","size":10},"aggs":{"avg_total":{"avg":{"field":"total"}}}},
  "per_day":{"date_histogram":{"field":"created","calendar_interval":"day","min_doc_count":0}}}}`)

// Judging and re-emitting a typical search allocates nothing in the steady state (the
// tree and the judge are pooled, the output buffer is the caller's); the budget catches
// a regression that would make each member or value allocate. Under the race detector
// sync.Pool drops pooled state at random, so the budget is loosened to a constant that
// still fails if anything is allocated per member.
func TestJudgeSearch_TypicalBody_AllocationBudget(t *testing.T) {
	budget := 0.0
	if raceEnabled {
		budget = 8
	}
	if len(typicalSearch) < 900 || len(typicalSearch) > 1200 {
		t.Fatalf("the typical body is %d bytes, meant to be about 1 KiB", len(typicalSearch))
	}
	dst := make([]byte, 0, 4096)
	n := testing.AllocsPerRun(200, func() {
		s, err := JudgeSearch(dst[:0], typicalSearch, nil, acmePolicy)
		if err != nil {
			t.Fatal(err)
		}
		dst = s.Body
	})
	t.Logf("%v allocations per judgement", n)
	if n > budget {
		t.Fatalf("JudgeSearch allocates %v times, budget %v", n, budget)
	}
}

func BenchmarkJudgeSearch_Typical1KiB(b *testing.B) {
	dst := make([]byte, 0, 4096)
	b.SetBytes(int64(len(typicalSearch)))
	b.ReportAllocs()
	for b.Loop() {
		s, _ := JudgeSearch(dst[:0], typicalSearch, nil, acmePolicy)
		dst = s.Body
	}
}

package stockclient

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"reflect"
	"slices"
	"strings"
	"time"

	"github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
)

// The reads beyond one search (spec/14-reads.md), through the stock client.

func checkDiscovery(f *fixture) error {
	if err := f.acme.Client.DiscoverNodes(f.ctx); err != nil {
		return fmt.Errorf("DiscoverNodes: %w", err)
	}
	m, err := f.acme.Client.Metrics()
	if err != nil {
		return err
	}
	var urls []string
	for _, c := range m.Connections {
		var cm struct {
			URL string `json:"url"`
		}
		if b, err := json.Marshal(c); err == nil && json.Unmarshal(b, &cm) == nil && cm.URL != "" {
			urls = append(urls, cm.URL)
		} else {
			urls = append(urls, c.String())
		}
	}
	want := strings.TrimSuffix(f.url, "/")
	for _, u := range urls {
		if !strings.Contains(u, strings.TrimPrefix(want, "http://")) {
			return fmt.Errorf("discovered connections %v, want only %s", urls, want)
		}
	}
	if len(urls) == 0 {
		return errors.New("no connection after discovery")
	}
	return nil
}

func count(f *fixture, c *opensearchapi.Client, body string) (int, error) {
	req := &opensearchapi.IndicesCountReq{Indices: []string{f.index}}
	if body != "" {
		req.Body = strings.NewReader(body)
	}
	r, err := c.Indices.Count(f.ctx, req)
	if err != nil {
		return 0, err
	}
	return r.Count, nil
}

func checkCount(f *fixture) error {
	for _, c := range []struct {
		who  string
		c    *opensearchapi.Client
		body string
		want int
	}{{"acme", f.acme, "", 2}, {"globex", f.globex, "", 1}, {"acme anvil", f.acme, `{"query":{"match":{"item":"anvil"}}}`, 1},
		{"globex anvil", f.globex, `{"query":{"match":{"item":"anvil"}}}`, 0}} {
		n, err := count(f, c.c, c.body)
		if err != nil || n != c.want {
			return fmt.Errorf("%s: count %d err %v, want %d", c.who, n, err, c.want)
		}
	}
	return nil
}

func checkMSearch(f *fixture) error {
	body := `{"index":"` + f.index + `"}` + "\n" + `{"query":{"match_all":{}}}` + "\n{}\n" + `{"query":{"match":{"item":"rocket"}}}` + "\n"
	r, err := f.acme.MSearch(f.ctx, opensearchapi.MSearchReq{Indices: []string{f.index}, Body: strings.NewReader(body)})
	if err != nil {
		return err
	}
	if len(r.Responses) != 2 {
		return fmt.Errorf("%d responses, want 2", len(r.Responses))
	}
	var ids [][]string
	for _, item := range r.Responses {
		var got []string
		for _, h := range item.Hits.Hits {
			if h.Index != f.index {
				return fmt.Errorf("hit _index %q", h.Index)
			}
			got = append(got, h.ID)
		}
		slices.Sort(got)
		ids = append(ids, got)
	}
	if !reflect.DeepEqual(ids, [][]string{{"1", "2"}, {"2"}}) {
		return fmt.Errorf("ids %v", ids)
	}
	return nil
}

func checkScroll(f *fixture) error {
	size := 1
	r, err := f.acme.Search(f.ctx, &opensearchapi.SearchReq{Indices: []string{f.index},
		Params: opensearchapi.SearchParams{Scroll: time.Minute, Size: &size}})
	if err != nil {
		return err
	}
	seen := map[string]doc{}
	id := r.ScrollID
	hits := r.Hits.Hits
	for pages := 0; len(hits) > 0; pages++ {
		if pages > 5 || id == nil {
			return errors.New("the scroll did not end")
		}
		for _, h := range hits {
			d, err := decodeSource(h.Source)
			if err != nil {
				return err
			}
			seen[h.ID] = d
		}
		next, err := f.acme.Scroll.Get(f.ctx, opensearchapi.ScrollGetReq{ScrollID: *id, Params: opensearchapi.ScrollGetParams{Scroll: time.Minute}})
		if err != nil {
			return fmt.Errorf("Scroll.Get: %w", err)
		}
		hits = next.Hits.Hits
		if next.ScrollID != nil {
			id = next.ScrollID
		}
	}
	if !reflect.DeepEqual(seen, acmeDocs) {
		return fmt.Errorf("scrolled %+v, want %+v", seen, acmeDocs)
	}
	if _, err := f.globex.Scroll.Get(f.ctx, opensearchapi.ScrollGetReq{ScrollID: *id}); !isStatus(err, http.StatusBadRequest) {
		return fmt.Errorf("globex continuing acme's scroll: %v, want a 400", err)
	}
	d, err := f.acme.Scroll.Delete(f.ctx, opensearchapi.ScrollDeleteReq{ScrollIDs: []string{*id}})
	if err != nil || !d.Succeeded {
		return fmt.Errorf("Scroll.Delete: %+v %v", d, err)
	}
	return nil
}

func checkPointInTime(f *fixture) error {
	created, err := f.acme.PointInTime.Create(f.ctx, opensearchapi.PointInTimeCreateReq{Indices: []string{f.index},
		Params: opensearchapi.PointInTimeCreateParams{KeepAlive: time.Minute}})
	if err != nil {
		return fmt.Errorf("PointInTime.Create: %w", err)
	}
	pit, after := created.PitID, ""
	var seen []string
	for i := 0; i < 5; i++ {
		body := `{"size":1,"pit":{"id":"` + pit + `","keep_alive":"1m"},"sort":[{"qty":"asc"}]` + after + `}`
		r, err := f.acme.Search(f.ctx, &opensearchapi.SearchReq{Body: strings.NewReader(body)})
		if err != nil {
			return fmt.Errorf("page %d: %w", i, err)
		}
		if len(r.Hits.Hits) == 0 {
			break
		}
		for _, h := range r.Hits.Hits {
			seen = append(seen, h.Index+":"+h.ID)
			sort, _ := json.Marshal(h.Sort)
			after = `,"search_after":` + string(sort)
		}
	}
	if want := []string{f.index + ":2", f.index + ":1"}; !reflect.DeepEqual(seen, want) {
		return fmt.Errorf("pages %v, want %v", seen, want)
	}
	d, err := f.acme.PointInTime.Delete(f.ctx, opensearchapi.PointInTimeDeleteReq{PitID: []string{pit}})
	if err != nil || len(d.Pits) != 1 || !d.Pits[0].Successful || d.Pits[0].PitID != pit {
		return fmt.Errorf("PointInTime.Delete: %+v %v", d, err)
	}
	return nil
}

func checkDeleteByQuery(f *fixture) error {
	for _, c := range []*opensearchapi.Client{f.acme, f.globex} {
		if _, err := c.Index(f.ctx, opensearchapi.IndexReq{Index: f.index, DocumentID: "tmp", Body: strings.NewReader(`{"item":"scrap","qty":0}`),
			Params: opensearchapi.IndexParams{Refresh: "true"}}); err != nil {
			return err
		}
	}
	refresh := true
	r, err := f.acme.Document.DeleteByQuery(f.ctx, opensearchapi.DocumentDeleteByQueryReq{Indices: []string{f.index},
		Body: strings.NewReader(`{"query":{"match":{"item":"scrap"}}}`), Params: opensearchapi.DocumentDeleteByQueryParams{Refresh: &refresh}})
	if err != nil || r.Deleted != 1 {
		return fmt.Errorf("acme DeleteByQuery: %+v %v", r, err)
	}
	if err := wantExists(f, f.globex, "globex", "tmp", http.StatusOK); err != nil {
		return err
	}
	_, err = f.globex.Document.Delete(f.ctx, opensearchapi.DocumentDeleteReq{Index: f.index, DocumentID: "tmp",
		Params: opensearchapi.DocumentDeleteParams{Refresh: "true"}})
	return err
}

// isStatus reports whether err is the client's error for an OpenSearch-shaped answer
// of status.
func isStatus(err error, status int) bool {
	var se *opensearch.StructError
	return errors.As(err, &se) && se.Status == status
}

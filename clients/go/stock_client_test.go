// Package stockclient drives the stock opensearch-go client, unmodified,
// through osproxy in tenancy mode. It is its own module so that the root
// module does not depend on the client.
//
// Each check prints `ok - NAME` or `FAIL - NAME: WHY`; TestMain prints
// `N passed, M failed` last. The checks run in order and build on each other
// (index, then read, then delete).
//
// Environment (set by ci/clients.sh; without OSPROXY_URL the test skips):
//
//	OSPROXY_URL             the proxy's base URL
//	OSPROXY_EXPECT_VERSION  the upstream's version.number, which Info must relay
//	CLIENT_INDEX            the logical index this program owns (default clients-go)
//	ACME_TOKEN, GLOBEX_TOKEN  bearer tokens bound to one tenant each
package stockclient

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/opensearch-project/opensearch-go/v4"
	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
)

type doc struct {
	Item string `json:"item"`
	Qty  int    `json:"qty"`
}

var (
	acmeDocs  = map[string]doc{"1": {"anvil", 3}, "2": {"rocket", 1}}
	globexDoc = doc{"doomsday device", 7}
	reserved  = []string{"_tenant", "_logical_index"}
	passed    int
	failed    int
)

func TestMain(m *testing.M) {
	code := m.Run()
	fmt.Printf("%d passed, %d failed\n", passed, failed)
	os.Exit(code)
}

func env(name, fallback string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return fallback
}

// newClient builds a stock client whose settings beyond the address are the
// bearer token in Config.Header (the token is bound to one tenant, SEC-6, so no
// x-tenant header is needed) and node discovery on start, as a client of a
// cluster would have it: the proxy answers /_nodes/http with its own address
// (READ-39), so the discovered pool is the proxy again.
func newClient(t *testing.T, url, token string, compress bool) *opensearchapi.Client {
	t.Helper()
	discover := true
	c, err := opensearchapi.NewClient(opensearchapi.Config{Client: opensearch.Config{
		Addresses:            []string{url},
		Header:               http.Header{"Authorization": {"Bearer " + token}},
		CompressRequestBody:  compress,
		DiscoverNodesOnStart: &discover,
		EnableMetrics:        true, // so the test can see the discovered connections
	}})
	if err != nil {
		t.Fatalf("creating the client: %v", err)
	}
	t.Cleanup(func() { _ = c.Close() })
	return c
}

// fixture is what every check sees: two clients, one per tenant, and the index.
type fixture struct {
	ctx          context.Context
	acme, globex *opensearchapi.Client
	acmeGzip     *opensearchapi.Client // CompressRequestBody: true
	index        string
	version      string
	url          string
}

func TestStockClientThroughProxy(t *testing.T) {
	url := os.Getenv("OSPROXY_URL")
	if url == "" {
		t.Skip("OSPROXY_URL is not set; ci/clients.sh sets it")
	}
	acmeToken := env("ACME_TOKEN", "tok-acme")
	f := &fixture{
		ctx:      t.Context(),
		acme:     newClient(t, url, acmeToken, false),
		globex:   newClient(t, url, env("GLOBEX_TOKEN", "tok-globex"), false),
		acmeGzip: newClient(t, url, acmeToken, true),
		index:    env("CLIENT_INDEX", "clients-go"),
		version:  os.Getenv("OSPROXY_EXPECT_VERSION"),
		url:      url,
	}
	checks := []struct {
		name string
		run  func(*fixture) error
	}{
		{"Info relays the upstream version", checkInfo},
		{"Ping succeeds", checkPing},
		{"Index with an id and refresh, two tenants, same id", checkIndex},
		{"Document.Get returns the logical document", checkGet},
		{"Search sees only the tenant's documents", checkSearchIsolation},
		{"Document.Exists is 200 and 404", checkExists},
		{"node discovery finds the proxy itself", checkDiscovery},
		{"Indices.Count sees only the tenant's documents", checkCount},
		{"MSearch answers each item in the tenant's view", checkMSearch},
		{"Search with Scroll, Scroll.Get pages, Scroll.Delete", checkScroll},
		{"PointInTime.Create, Search with search_after, PointInTime.Delete", checkPointInTime},
		{"Document.DeleteByQuery deletes only the tenant's documents", checkDeleteByQuery},
		{"Document.Delete removes the document", checkDelete},
		{"Document.Get of a missing document is a 404 error", checkGetMissing},
		{"a global aggregation is a 400 StructError unsupported_query", checkRefusedQuery},
		{"x-tenant of another tenant is a 403 StructError tenant_forbidden", checkForeignTenant},
		{"CompressRequestBody: gzip Index, Search and Document.Get", checkCompressed},
	}
	for _, c := range checks {
		if err := c.run(f); err != nil {
			failed++
			fmt.Printf("FAIL - %s: %v\n", c.name, err)
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		passed++
		fmt.Printf("ok - %s\n", c.name)
	}
}

func checkInfo(f *fixture) error {
	r, err := f.acme.Info(f.ctx, nil)
	if err != nil {
		return err
	}
	if r.Version.Number != f.version || r.Version.Distribution != "opensearch" {
		return fmt.Errorf("version %q distribution %q, want %q opensearch", r.Version.Number, r.Version.Distribution, f.version)
	}
	return nil
}

func checkPing(f *fixture) error {
	r, err := f.acme.Ping(f.ctx, nil)
	if err != nil {
		return err
	}
	return wantStatus(r, http.StatusOK)
}

func indexDoc(f *fixture, c *opensearchapi.Client, id string, d doc) error {
	body, _ := json.Marshal(d)
	r, err := c.Index(f.ctx, opensearchapi.IndexReq{
		Index: f.index, DocumentID: id, Body: strings.NewReader(string(body)),
		Params: opensearchapi.IndexParams{Refresh: "true"},
	})
	if err != nil {
		return fmt.Errorf("indexing %s: %w", id, err)
	}
	if r.Result != "created" || r.Index != f.index || r.ID != id {
		return fmt.Errorf("indexing %s: result %q _index %q _id %q", id, r.Result, r.Index, r.ID)
	}
	return wantStatus(r.Inspect().Response, http.StatusCreated)
}

func checkIndex(f *fixture) error {
	for _, id := range []string{"1", "2"} {
		if err := indexDoc(f, f.acme, id, acmeDocs[id]); err != nil {
			return fmt.Errorf("acme: %w", err)
		}
	}
	if err := indexDoc(f, f.globex, "1", globexDoc); err != nil {
		return fmt.Errorf("globex (same id as acme's): %w", err)
	}
	return nil
}

func getDoc(f *fixture, c *opensearchapi.Client, id string) (doc, error) {
	r, err := c.Document.Get(f.ctx, opensearchapi.DocumentGetReq{Index: f.index, DocumentID: id})
	if err != nil {
		return doc{}, err
	}
	if r.Index != f.index || r.ID != id || !r.Found {
		return doc{}, fmt.Errorf("_index %q _id %q found %v", r.Index, r.ID, r.Found)
	}
	return decodeSource(r.Source)
}

// decodeSource decodes a _source strictly, so a reserved field left in it fails.
func decodeSource(raw json.RawMessage) (doc, error) {
	var fields map[string]json.RawMessage
	if err := json.Unmarshal(raw, &fields); err != nil {
		return doc{}, fmt.Errorf("decoding _source: %w", err)
	}
	for _, name := range reserved {
		if _, ok := fields[name]; ok {
			return doc{}, fmt.Errorf("_source has %s: %s", name, raw)
		}
	}
	var d doc
	dec := json.NewDecoder(strings.NewReader(string(raw)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&d); err != nil {
		return doc{}, fmt.Errorf("decoding _source %s: %w", raw, err)
	}
	return d, nil
}

func checkGet(f *fixture) error {
	if d, err := getDoc(f, f.acme, "1"); err != nil || d != acmeDocs["1"] {
		return fmt.Errorf("acme get 1: %+v, %v", d, err)
	}
	if d, err := getDoc(f, f.globex, "1"); err != nil || d != globexDoc {
		return fmt.Errorf("globex get 1: %+v, %v", d, err)
	}
	return nil
}

func search(f *fixture, c *opensearchapi.Client, body string) (int, map[string]doc, error) {
	r, err := c.Search(f.ctx, &opensearchapi.SearchReq{Indices: []string{f.index}, Body: strings.NewReader(body)})
	if err != nil {
		return 0, nil, err
	}
	hits := map[string]doc{}
	for _, h := range r.Hits.Hits {
		if h.Index != f.index {
			return 0, nil, fmt.Errorf("hit _index %q", h.Index)
		}
		d, err := decodeSource(h.Source)
		if err != nil {
			return 0, nil, fmt.Errorf("hit %s: %w", h.ID, err)
		}
		hits[h.ID] = d
	}
	return r.Hits.Total.Value, hits, nil
}

const matchAll = `{"query":{"match_all":{}}}`

func checkSearchIsolation(f *fixture) error {
	total, hits, err := search(f, f.acme, matchAll)
	if err != nil || total != 2 || !maps.Equal(hits, acmeDocs) {
		return fmt.Errorf("acme: total %d hits %+v err %v, want 2 %+v", total, hits, err, acmeDocs)
	}
	total, hits, err = search(f, f.globex, matchAll)
	if err != nil || total != 1 || !maps.Equal(hits, map[string]doc{"1": globexDoc}) {
		return fmt.Errorf("globex: total %d hits %+v err %v, want 1", total, hits, err)
	}
	// A query naming the other tenant's values still sees only its own (SRCH-11);
	// one naming a reserved field is refused (ISO-8).
	total, _, err = search(f, f.globex, `{"query":{"match":{"item":"anvil"}}}`)
	if err != nil || total != 0 {
		return fmt.Errorf("globex match item=anvil: total %d err %v, want 0", total, err)
	}
	if _, _, err = search(f, f.globex, `{"query":{"term":{"_tenant":"acme"}}}`); !isStatus(err, http.StatusBadRequest) {
		return fmt.Errorf("globex term _tenant=acme: %v, want a 400 unsupported_query", err)
	}
	return nil
}

// exists reports the status of Document.Exists: the client returns the
// response and, for a 404, an error as well.
func exists(f *fixture, c *opensearchapi.Client, id string) (int, error) {
	r, err := c.Document.Exists(f.ctx, opensearchapi.DocumentExistsReq{Index: f.index, DocumentID: id})
	if r == nil {
		return 0, fmt.Errorf("exists %s: no response: %w", id, err)
	}
	if r.StatusCode == http.StatusOK && err != nil {
		return 0, fmt.Errorf("exists %s: 200 with error %w", id, err)
	}
	return r.StatusCode, nil
}

func wantExists(f *fixture, c *opensearchapi.Client, who, id string, want int) error {
	got, err := exists(f, c, id)
	if err != nil {
		return err
	}
	if got != want {
		return fmt.Errorf("%s exists %s: status %d, want %d", who, id, got, want)
	}
	return nil
}

func checkExists(f *fixture) error {
	return errors.Join(
		wantExists(f, f.acme, "acme", "2", http.StatusOK),
		wantExists(f, f.acme, "acme", "3", http.StatusNotFound),
		wantExists(f, f.globex, "globex", "2", http.StatusNotFound),
	)
}

func checkDelete(f *fixture) error {
	r, err := f.acme.Document.Delete(f.ctx, opensearchapi.DocumentDeleteReq{
		Index: f.index, DocumentID: "2", Params: opensearchapi.DocumentDeleteParams{Refresh: "true"},
	})
	if err != nil {
		return err
	}
	if r.Result != "deleted" || r.Index != f.index || r.ID != "2" {
		return fmt.Errorf("result %q _index %q _id %q", r.Result, r.Index, r.ID)
	}
	if err := wantExists(f, f.acme, "acme", "2", http.StatusNotFound); err != nil {
		return fmt.Errorf("after delete: %w", err)
	}
	if total, _, err := search(f, f.acme, matchAll); err != nil || total != 1 {
		return fmt.Errorf("after delete: total %d err %v, want 1", total, err)
	}
	return nil
}

func checkGetMissing(f *fixture) error {
	r, err := f.acme.Document.Get(f.ctx, opensearchapi.DocumentGetReq{Index: f.index, DocumentID: "2"})
	if err == nil {
		return errors.New("no error, want a 404")
	}
	// A get miss is not an error envelope ({"found":false}), so the client
	// reports it as a StringError carrying the status.
	var se *opensearch.StringError
	if !errors.As(err, &se) || se.Status != http.StatusNotFound {
		return fmt.Errorf("error %T %v, want a StringError with status 404", err, err)
	}
	return wantStatus(r.Inspect().Response, http.StatusNotFound)
}

// wantStructError checks err is the client's *opensearch.StructError with
// status and error.type, and that the raw response has the same status.
func wantStructError(err error, resp *opensearch.Response, status int, errorType string) error {
	if err == nil {
		return fmt.Errorf("no error, want %d %s", status, errorType)
	}
	var se *opensearch.StructError
	if !errors.As(err, &se) {
		return fmt.Errorf("error %T %v, want *opensearch.StructError", err, err)
	}
	if se.Status != status || se.Err.Type != errorType {
		return fmt.Errorf("status %d type %q, want %d %q", se.Status, se.Err.Type, status, errorType)
	}
	if len(se.Err.RootCause) != 1 || se.Err.RootCause[0].Type != errorType {
		return fmt.Errorf("root_cause %+v, want one of type %q", se.Err.RootCause, errorType)
	}
	return wantStatus(resp, status)
}

func checkRefusedQuery(f *fixture) error {
	r, err := f.acme.Search(f.ctx, &opensearchapi.SearchReq{
		Indices: []string{f.index},
		Body:    strings.NewReader(`{"size":0,"aggs":{"everything":{"global":{}}}}`),
	})
	return wantStructError(err, r.Inspect().Response, http.StatusBadRequest, "unsupported_query")
}

func checkForeignTenant(f *fixture) error {
	r, err := f.acme.Search(f.ctx, &opensearchapi.SearchReq{
		Indices: []string{f.index},
		Body:    strings.NewReader(matchAll),
		Header:  http.Header{"X-Tenant": {"globex"}},
	})
	return wantStructError(err, r.Inspect().Response, http.StatusForbidden, "tenant_forbidden")
}

// checkCompressed uses a client that gzips request bodies (SRCH-5) on its own
// logical index, so the counts of the other checks are untouched.
func checkCompressed(f *fixture) error {
	gz := *f
	gz.index += "-gzip"
	if err := indexDoc(&gz, gz.acmeGzip, "1", acmeDocs["1"]); err != nil {
		return err
	}
	total, hits, err := search(&gz, gz.acmeGzip, `{"query":{"match":{"item":"anvil"}}}`)
	if err != nil || total != 1 || hits["1"] != acmeDocs["1"] {
		return fmt.Errorf("search: total %d hits %+v err %v, want 1", total, hits, err)
	}
	if d, err := getDoc(&gz, gz.acmeGzip, "1"); err != nil || d != acmeDocs["1"] {
		return fmt.Errorf("get: %+v, %v", d, err)
	}
	return nil
}

func wantStatus(r *opensearch.Response, want int) error {
	if r == nil {
		return fmt.Errorf("no response, want status %d", want)
	}
	if r.StatusCode != want {
		return fmt.Errorf("status %d, want %d", r.StatusCode, want)
	}
	return nil
}

package stockclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/opensearch-project/opensearch-go/v4/opensearchapi"
	"github.com/opensearch-project/opensearch-go/v4/opensearchutil"
)

// TestIngestThroughProxy drives opensearchutil.BulkIndexer, unmodified: each tenant
// writes its documents into its own logical index through the proxy, and then sees
// exactly its own.
func TestIngestThroughProxy(t *testing.T) {
	url := os.Getenv("OSPROXY_URL")
	if url == "" {
		t.Skip("OSPROXY_URL is not set; ci/clients.sh sets it")
	}
	index := env("CLIENT_INDEX", "clients-go") + "-ingest"
	acme := newClient(t, url, env("ACME_TOKEN", "tok-acme"), false)
	globex := newClient(t, url, env("GLOBEX_TOKEN", "tok-globex"), true)
	ctx := t.Context()
	checks := []struct {
		name string
		run  func() error
	}{
		{"BulkIndexer writes each tenant's documents", func() error {
			if err := bulkIndex(ctx, acme, index, 1500, "acme"); err != nil {
				return err
			}
			return bulkIndex(ctx, globex, index, 200, "globex")
		}},
		{"BulkIndexer reports a refused item through OnFailure", func() error { return refusedItem(ctx, acme, index) }},
		{"each tenant sees exactly its own", func() error {
			for _, c := range []struct {
				client *opensearchapi.Client
				n      int
			}{{acme, 1500}, {globex, 200}} {
				if _, err := c.client.Indices.Refresh(ctx, &opensearchapi.IndicesRefreshReq{Index: []string{index}}); err != nil {
					return fmt.Errorf("refresh: %w", err)
				}
				resp, err := c.client.Search(ctx, &opensearchapi.SearchReq{Indices: []string{index},
					Body: strings.NewReader(`{"size":0,"track_total_hits":true}`)})
				if err != nil {
					return err
				}
				if got := resp.Hits.Total.Value; got != c.n {
					return fmt.Errorf("total %d, want %d", got, c.n)
				}
			}
			return nil
		}},
	}
	for _, c := range checks {
		if err := c.run(); err != nil {
			failed++
			fmt.Printf("FAIL - %s: %v\n", c.name, err)
			t.Errorf("%s: %v", c.name, err)
			continue
		}
		passed++
		fmt.Printf("ok - %s\n", c.name)
	}
}

func bulkIndex(ctx context.Context, c *opensearchapi.Client, index string, n int, who string) error {
	bi, err := opensearchutil.NewBulkIndexer(opensearchutil.BulkIndexerConfig{Client: c, Index: index, NumWorkers: 2, FlushBytes: 32 << 10})
	if err != nil {
		return err
	}
	var failures atomic.Int64
	for i := range n {
		doc, _ := json.Marshal(map[string]any{"n": i, "who": who})
		err := bi.Add(ctx, opensearchutil.BulkIndexerItem{Action: "index", DocumentID: fmt.Sprintf("d%d", i), Body: bytes.NewReader(doc),
			OnFailure: func(context.Context, opensearchutil.BulkIndexerItem, opensearchapi.BulkRespItem, error) {
				failures.Add(1)
			}})
		if err != nil {
			return err
		}
	}
	if err := bi.Close(ctx); err != nil {
		return err
	}
	if s := bi.Stats(); s.NumFlushed != uint64(n) || s.NumFailed != 0 || failures.Load() != 0 {
		return fmt.Errorf("%s: stats %+v, failures %d", who, s, failures.Load())
	}
	return nil
}

func refusedItem(ctx context.Context, c *opensearchapi.Client, index string) error {
	bi, err := opensearchutil.NewBulkIndexer(opensearchutil.BulkIndexerConfig{Client: c, Index: index})
	if err != nil {
		return err
	}
	var errorType atomic.Value
	_ = bi.Add(ctx, opensearchutil.BulkIndexerItem{Action: "index", DocumentID: "bad", Body: strings.NewReader(`{"_tenant":"globex"}`),
		OnFailure: func(_ context.Context, _ opensearchutil.BulkIndexerItem, r opensearchapi.BulkRespItem, _ error) {
			if r.Error != nil {
				errorType.Store(r.Error.Type)
			}
		}})
	if err := bi.Close(ctx); err != nil {
		return err
	}
	if s := bi.Stats(); s.NumFailed != 1 || errorType.Load() != "reserved_field" {
		return fmt.Errorf("stats %+v, error type %v", s, errorType.Load())
	}
	return nil
}

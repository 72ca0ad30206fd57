package main

import (
	"flag"
	"fmt"
	"time"

	"github.com/osproxy/osproxy/mockupstream"
)

// runUpstream serves the lean mock OpenSearch until the process is killed.
func runUpstream(args []string) error {
	fs := flag.NewFlagSet("upstream", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:19200", "address to serve on")
	index := fs.String("index", "osproxy-shared", "physical index named in responses")
	tenant := fs.String("tenant", "acme", "tenant named in _routing and _source._tenant")
	prefix := fs.String("id-prefix", "acme:orders:", "prefix of physical ids (TEN-7: {tenant}:{index}:)")
	logical := fs.String("logical", "orders", "logical index stored in _source._logical_index")
	big := fs.Int64("big-bytes", 64<<20, "size of the ?resp= response and of a search's aggregations")
	maxConns := fs.Int("max-conns", 20000, "concurrent connection limit")
	idle := fs.Duration("idle-timeout", 2*time.Minute, "close connections idle this long")
	if err := fs.Parse(args); err != nil {
		return err
	}
	srv, err := mockupstream.NewLean(mockupstream.LeanConfig{
		Addr:        *listen,
		Shape:       mockupstream.Shape{Index: *index, Tenant: *tenant, IDPrefix: *prefix, Logical: *logical},
		BigBytes:    *big,
		MaxConns:    *maxConns,
		IdleTimeout: *idle,
	})
	if err != nil {
		return err
	}
	fmt.Printf("osbench upstream listening on http://%s\n", srv.Addr())
	return srv.Serve()
}

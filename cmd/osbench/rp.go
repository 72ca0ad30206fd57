package main

import (
	"flag"
	"fmt"
	"net/http"
	"net/http/httputil"
	"net/url"
)

// runRP is leg R: a stock httputil.ReverseProxy, the Go yardstick. The only
// change from the defaults is the idle pool size, because the default of 2
// per host churns upstream connections under any concurrency and
// would make the yardstick a straw man.
func runRP(args []string) error {
	fs := flag.NewFlagSet("rp", flag.ContinueOnError)
	listen := fs.String("listen", "127.0.0.1:19204", "address to serve on")
	upstream := fs.String("upstream", "http://127.0.0.1:19200", "base URL to forward to")
	if err := fs.Parse(args); err != nil {
		return err
	}
	target, err := url.Parse(*upstream)
	if err != nil {
		return fmt.Errorf("parsing -upstream: %w", err)
	}
	transport := http.DefaultTransport.(*http.Transport).Clone()
	transport.MaxIdleConns = 1024
	transport.MaxIdleConnsPerHost = 1024
	proxy := httputil.NewSingleHostReverseProxy(target)
	proxy.Transport = transport
	fmt.Printf("osbench rp listening on http://%s\n", *listen)
	return http.ListenAndServe(*listen, proxy)
}

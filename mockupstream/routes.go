package mockupstream

import (
	"net/http"
	"strings"
	"sync"
)

// defaultResponder answers requests no route matches, the way OpenSearch
// acknowledges most administrative calls.
var defaultResponder Responder = JSON(http.StatusOK, `{"acknowledged":true}`)

type route struct {
	method string // "" matches any method
	path   string // raw path, or its prefix when prefix is set
	prefix bool
	resp   Responder
}

func (rt route) matches(method, rawPath string) bool {
	if rt.method != "" && rt.method != method {
		return false
	}
	if rt.prefix {
		return strings.HasPrefix(rawPath, rt.path)
	}
	return rawPath == rt.path
}

// routeTable is the list of registrations, searched newest first so that a
// test can override a broad route with a narrower one, or a route set up by a
// shared helper with its own.
type routeTable struct {
	mu     sync.RWMutex
	routes []route
}

func (t *routeTable) add(rt route) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.routes = append(t.routes, rt)
}

func (t *routeTable) match(method, rawPath string) Responder {
	t.mu.RLock()
	defer t.mu.RUnlock()
	for i := len(t.routes) - 1; i >= 0; i-- {
		if t.routes[i].matches(method, rawPath) {
			return t.routes[i].resp
		}
	}
	return defaultResponder
}

// Handle routes requests to r. An empty method matches any method. path is
// compared with the raw, undecoded request path: exactly, or as a prefix when
// it ends with "*" (so "/logs%2F*" matches "/logs%2F2024/_search"). A later
// registration takes precedence over earlier ones it overlaps. A nil r answers
// like the default: 200 application/json {"acknowledged":true}.
func (s *Server) Handle(method, path string, r Responder) {
	rt := route{method: method, path: path, resp: orDefault(r)}
	if p, ok := strings.CutSuffix(path, "*"); ok {
		rt.path, rt.prefix = p, true
	}
	s.routes.add(rt)
}

func orDefault(r Responder) Responder {
	if r == nil {
		return defaultResponder
	}
	return r
}

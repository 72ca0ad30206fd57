package conformance_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"strings"
	"time"
)

// The security profile's wire: requests written byte for byte, so that encodings,
// repeated headers and framings reach the proxy exactly as an attacker sends them.

// identity is the attacker's identity header in a mode.
func identity(mode authMode) []string {
	if mode != modeOpen {
		return []string{"Authorization", "Bearer " + attackToken}
	}
	return []string{"x-tenant", "acme"}
}

// rawSend writes one HTTP/1.1 request exactly as given (no path cleaning, no header
// canonicalisation) and reads the response. A header value "<none>" leaves the
// header out where rawSend would add it (Content-Type, Content-Length).
func rawSend(addr, method, target string, header []string, body string) (response, error) {
	conn, err := net.DialTimeout("tcp", addr, 10*time.Second)
	if err != nil {
		return response{}, fmt.Errorf("dialing the proxy: %w", err)
	}
	defer conn.Close()
	_ = conn.SetDeadline(time.Now().Add(2 * time.Minute))
	var b strings.Builder
	fmt.Fprintf(&b, "%s %s HTTP/1.1\r\nHost: %s\r\n", method, target, addr)
	has := func(name string) bool {
		for i := 0; i+1 < len(header); i += 2 {
			if strings.EqualFold(header[i], name) {
				return true
			}
		}
		return false
	}
	for i := 0; i+1 < len(header); i += 2 {
		if header[i+1] != "<none>" {
			fmt.Fprintf(&b, "%s: %s\r\n", header[i], header[i+1])
		}
	}
	if !has("Content-Length") && !has("Transfer-Encoding") && (body != "" || method == "POST" || method == "PUT") {
		fmt.Fprintf(&b, "Content-Length: %d\r\n", len(body))
	}
	if body != "" && !has("Content-Type") {
		b.WriteString("Content-Type: application/json\r\n")
	}
	b.WriteString("Connection: close\r\n\r\n")
	b.WriteString(body)
	if _, err := io.WriteString(conn, b.String()); err != nil {
		return response{}, fmt.Errorf("writing the request: %w", err)
	}
	br := bufio.NewReader(conn)
	resp, err := http.ReadResponse(br, &http.Request{Method: method})
	for err == nil && resp.StatusCode == http.StatusContinue {
		resp, err = http.ReadResponse(br, &http.Request{Method: method})
	}
	if err != nil {
		return response{}, fmt.Errorf("reading the response: %w", err)
	}
	defer resp.Body.Close()
	got, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return response{}, fmt.Errorf("reading the response body: %w", err)
	}
	return response{Status: resp.StatusCode, Header: resp.Header, Body: got}, nil
}

package cluster

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// fakeScriptBody stands in for ci/opensearch.sh: it records each call's
// arguments, one call per line, in calls; start prints start.out with PORT
// replaced by the port argument and exits with the status in start.code.
const fakeScriptBody = `#!/usr/bin/env bash
dir=$(dirname "$0")
printf '%s|' "$@" >>"$dir/calls"
echo >>"$dir/calls"
echo "fake: $1" >&2
if [ "$1" = start ]; then
	sed "s/PORT/$3/g" "$dir/start.out"
	exit "$(cat "$dir/start.code")"
fi
`

// fakeScript writes the stand-in with start's stdout and exit status, and
// returns the script and the file recording its calls.
func fakeScript(t *testing.T, startOut string, startCode int) (script, calls string) {
	t.Helper()
	dir := t.TempDir()
	files := map[string]string{
		"opensearch.sh": fakeScriptBody,
		"start.out":     startOut,
		"start.code":    strconv.Itoa(startCode),
	}
	for name, content := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	return filepath.Join(dir, "opensearch.sh"), filepath.Join(dir, "calls")
}

func readCalls(t *testing.T, calls string) []string {
	t.Helper()
	b, err := os.ReadFile(calls)
	if os.IsNotExist(err) {
		return nil
	}
	if err != nil {
		t.Fatal(err)
	}
	return strings.Split(strings.TrimSuffix(string(b), "\n"), "\n")
}

func TestLocal_StartThenStop_RunsScriptWithVersionAndSamePort(t *testing.T) {
	tests := []struct {
		name     string
		version  string
		startOut string
		wantURL  string
	}{
		{"default version", "", "http://127.0.0.1:PORT\n", "http://127.0.0.1:PORT"},
		{"major alias", "3", "http://127.0.0.1:PORT/\n", "http://127.0.0.1:PORT"},
		{"full version", "2.19.6", "http://127.0.0.1:PORT", "http://127.0.0.1:PORT"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script, calls := fakeScript(t, tt.startOut, 0)
			var stderr bytes.Buffer
			l := &Local{Script: script, Version: tt.version, Stderr: &stderr}
			url, err := l.Start(context.Background())
			if err != nil {
				t.Fatalf("Start() = %v", err)
			}
			if err := l.Stop(context.Background()); err != nil {
				t.Fatalf("Stop() = %v", err)
			}
			got := readCalls(t, calls)
			if len(got) != 2 {
				t.Fatalf("script calls = %q, want start then stop", got)
			}
			start := strings.Split(got[0], "|")
			port := start[2]
			if n, err := strconv.Atoi(port); err != nil || n <= 0 || n > 65535 {
				t.Fatalf("start port = %q, want a port number", port)
			}
			wantStart := "start|" + tt.version + "|" + port + "|"
			wantStop := "stop|" + tt.version + "|" + port + "|"
			if got[0] != wantStart || got[1] != wantStop {
				t.Errorf("script calls = %q, want %q then %q", got, wantStart, wantStop)
			}
			// The fake builds its URL from the port it was given, as the script does.
			if want := strings.ReplaceAll(tt.wantURL, "PORT", port); url != want {
				t.Errorf("Start() URL = %q, want %q", url, want)
			}
			if want := "fake: start\nfake: stop\n"; stderr.String() != want {
				t.Errorf("Stderr = %q, want %q", stderr.String(), want)
			}
		})
	}
}

func TestLocal_StartFails_ErrorsAndStopStillCleansUp(t *testing.T) {
	tests := []struct {
		name     string
		startOut string
		code     int
	}{
		{"script exits non-zero", "", 1},
		{"script prints no URL", "", 0},
		{"script prints chatter on stdout", "starting node...\nhttp://127.0.0.1:1\n", 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			script, calls := fakeScript(t, tt.startOut, tt.code)
			l := &Local{Script: script, Version: "2", Stderr: &bytes.Buffer{}}
			if url, err := l.Start(context.Background()); err == nil {
				t.Fatalf("Start() = %q, nil; want an error", url)
			}
			if err := l.Stop(context.Background()); err != nil {
				t.Fatalf("Stop() = %v", err)
			}
			got := readCalls(t, calls)
			if len(got) != 2 || !strings.HasPrefix(got[1], "stop|2|") {
				t.Errorf("script calls = %q, want a stop after the failed start", got)
			}
		})
	}
}

func TestLocal_Stop_WithoutStart_RunsNothing(t *testing.T) {
	script, calls := fakeScript(t, "", 0)
	l := &Local{Script: script}
	if err := l.Stop(context.Background()); err != nil {
		t.Fatalf("Stop() = %v", err)
	}
	if got := readCalls(t, calls); got != nil {
		t.Errorf("script calls = %q, want none", got)
	}
}

func TestLocal_StartTwice_Errors(t *testing.T) {
	script, _ := fakeScript(t, "http://127.0.0.1:1\n", 0)
	l := &Local{Script: script, Stderr: &bytes.Buffer{}}
	if _, err := l.Start(context.Background()); err != nil {
		t.Fatalf("first Start() = %v", err)
	}
	if _, err := l.Start(context.Background()); err == nil {
		t.Error("second Start() = nil error, want already started")
	}
}

//go:build osproxy_runner

package conformance_test

import (
	"embed"
	"io/fs"
	"os"
	"path/filepath"
	"sync"

	"github.com/osproxy/osproxy/conformance/specrules"
)

// runnerFiles is what make conformance-runner lays in runnerdata/ just before
// it compiles the runner: a copy of spec/*.md, so the binary judges against
// the spec it was built with wherever it runs, and the scripts that start a
// local OpenSearch node (ci/opensearch.sh and what it reads), so that it can
// provide a cluster without a checkout.
//
//go:embed runnerdata
var runnerFiles embed.FS

func loadSpec() (specrules.Spec, error) {
	if dir := specDirOverride(); dir != "" {
		return specrules.LoadDir(dir)
	}
	sub, err := fs.Sub(runnerFiles, "runnerdata/spec")
	if err != nil {
		return specrules.Spec{}, err
	}
	return specrules.Load(sub, "spec")
}

var unpacked struct {
	once sync.Once
	dir  string
}

// clusterRoot is the checkout the runner sits in, or else a temporary
// directory holding the embedded ci/ scripts, for conformance/cluster.
func clusterRoot() string {
	if root := moduleRoot(); root != "" {
		return root
	}
	unpacked.once.Do(func() {
		dir, err := os.MkdirTemp("", "osproxy-conformance-ci-")
		if err != nil {
			return
		}
		_ = os.MkdirAll(filepath.Join(dir, "ci"), 0o755)
		entries, _ := fs.ReadDir(runnerFiles, "runnerdata/ci")
		for _, e := range entries {
			data, err := fs.ReadFile(runnerFiles, "runnerdata/ci/"+e.Name())
			if err == nil {
				_ = os.WriteFile(filepath.Join(dir, "ci", e.Name()), data, 0o755)
			}
		}
		unpacked.dir = dir
	})
	return unpacked.dir
}

// removeClusterRoot deletes the unpacked scripts once the cluster is stopped.
func removeClusterRoot() {
	if unpacked.dir != "" {
		_ = os.RemoveAll(unpacked.dir)
	}
}

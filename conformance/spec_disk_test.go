//go:build !osproxy_runner

package conformance_test

import (
	"errors"
	"path/filepath"

	"github.com/osproxy/osproxy/conformance/specrules"
)

// loadSpec reads spec/ from the checkout this suite runs in. The prebuilt
// runner (make conformance-runner, build tag osproxy_runner) embeds it
// instead; OSPROXY_CONFORMANCE_SPEC_DIR overrides both.
func loadSpec() (specrules.Spec, error) {
	if dir := specDirOverride(); dir != "" {
		return specrules.LoadDir(dir)
	}
	root := moduleRoot()
	if root == "" {
		return specrules.Spec{}, errors.New("no spec/: run from the osproxy checkout, use the prebuilt runner, or set OSPROXY_CONFORMANCE_SPEC_DIR")
	}
	return specrules.LoadDir(filepath.Join(root, "spec"))
}

// clusterRoot is the checkout, whose ci/ scripts conformance/cluster uses.
func clusterRoot() string { return moduleRoot() }

// removeClusterRoot has nothing to remove: the checkout is not the suite's.
func removeClusterRoot() {}

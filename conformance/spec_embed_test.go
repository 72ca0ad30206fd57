//go:build osproxy_runner

package conformance_test

import (
	"embed"
	"io/fs"

	"github.com/osproxy/osproxy/conformance/specrules"
)

// specFiles is a copy of spec/*.md that make conformance-runner lays in
// specdata/ just before it compiles the runner, so the binary judges
// against the spec it was built with, wherever it runs.
//
//go:embed specdata/*.md
var specFiles embed.FS

func loadSpec() (specrules.Spec, error) {
	if dir := specDirOverride(); dir != "" {
		return specrules.LoadDir(dir)
	}
	sub, err := fs.Sub(specFiles, "specdata")
	if err != nil {
		return specrules.Spec{}, err
	}
	return specrules.Load(sub, "spec")
}

package report

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"

	"github.com/onsi/ginkgo/v2/reporters"
	"github.com/onsi/ginkgo/v2/types"

	"github.com/osproxy/osproxy/conformance/specrules"
)

// File names written by Write.
const (
	ResultsFile  = "results.json"
	JUnitFile    = "junit.xml"
	MarkdownFile = "report.md"
)

// Write creates dir if needed and writes results.json, report.md and
// junit.xml for rep. Suites call it from ReportAfterSuite, which sees every
// spec of the run.
func Write(dir string, rep types.Report, spec specrules.Spec, meta Meta) error {
	res, err := Summarize(rep, spec, meta)
	if err != nil {
		return fmt.Errorf("summarizing results: %w", err)
	}
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return fmt.Errorf("creating report directory: %w", err)
	}
	data, err := json.MarshalIndent(res, "", "  ")
	if err != nil {
		return fmt.Errorf("encoding results: %w", err)
	}
	if err := writeAtomic(filepath.Join(dir, ResultsFile), append(data, '\n')); err != nil {
		return err
	}
	if err := writeAtomic(filepath.Join(dir, MarkdownFile), []byte(Markdown(res))); err != nil {
		return err
	}
	cfg := reporters.JunitReportConfig{
		// Passing specs' timelines repeat what the console showed and make
		// the file large; failures keep theirs, where they explain something.
		OmitTimelinesForSpecState: types.SpecStatePassed | types.SpecStateSkipped | types.SpecStatePending,
	}
	if err := reporters.GenerateJUnitReportWithConfig(rep, filepath.Join(dir, JUnitFile), cfg); err != nil {
		return fmt.Errorf("writing junit report: %w", err)
	}
	return nil
}

// writeAtomic replaces path in one step, so a reader (or a run killed
// half-way) never sees a truncated results file.
func writeAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), filepath.Base(path)+".*")
	if err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	defer os.Remove(f.Name()) // no-op after a successful rename
	if _, err := f.Write(data); err != nil {
		f.Close()
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := f.Close(); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Chmod(f.Name(), 0o644); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	if err := os.Rename(f.Name(), path); err != nil {
		return fmt.Errorf("writing %s: %w", path, err)
	}
	return nil
}

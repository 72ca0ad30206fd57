package report

import (
	"encoding/json"
	"fmt"
	"math"
	"strings"

	"github.com/onsi/ginkgo/v2"
	"github.com/onsi/ginkgo/v2/types"
)

// measurementPrefix marks the report entries that Write collects.
const measurementPrefix = "measurement:"

// Measure records a named number for results.json from inside a spec. The
// entry is shown on the console only on failure or with -v, since a
// conformance run's output should read as a list of rules.
func Measure(name string, value float64) {
	ginkgo.AddReportEntry(measurementPrefix+name, value,
		ginkgo.ReportEntryVisibilityFailureOrVerbose, ginkgo.Offset(1))
}

// collectMeasurements gathers "measurement:" entries from every node, the
// last of a repeated name winning. A value that is not a finite number is an
// error: it is a defect in the suite, and dropping it would hide that.
func collectMeasurements(specs types.SpecReports) (map[string]float64, error) {
	out := map[string]float64{}
	for _, s := range specs {
		for _, e := range s.ReportEntries {
			name, ok := strings.CutPrefix(e.Name, measurementPrefix)
			if !ok {
				continue
			}
			v, err := number(e)
			if err != nil {
				return nil, fmt.Errorf("reading measurement %q at %s: %w", name, e.Location, err)
			}
			out[name] = v
		}
	}
	return out, nil
}

// number extracts a float from an entry. In-process the raw value keeps its
// Go type; in a parallel run entries arrive JSON-decoded, so float64, or
// only their JSON text when the raw value was not carried over.
func number(e types.ReportEntry) (float64, error) {
	var v float64
	switch x := e.GetRawValue().(type) {
	case float64:
		v = x
	case float32:
		v = float64(x)
	case int:
		v = float64(x)
	case int32:
		v = float64(x)
	case int64:
		v = float64(x)
	case uint:
		v = float64(x)
	case uint32:
		v = float64(x)
	case uint64:
		v = float64(x)
	case json.Number:
		f, err := x.Float64()
		if err != nil {
			return 0, fmt.Errorf("parsing number: %w", err)
		}
		v = f
	case nil:
		if err := json.Unmarshal([]byte(e.Value.AsJSON), &v); err != nil {
			return 0, fmt.Errorf("value %q is not a number", e.Value.AsJSON)
		}
	default:
		return 0, fmt.Errorf("value %v is a %T, not a number", x, x)
	}
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return 0, fmt.Errorf("value %v is not finite", v)
	}
	return v, nil
}

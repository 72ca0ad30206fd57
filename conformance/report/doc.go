// Package report turns a Ginkgo run of the conformance suite into the files
// a third party publishes: results.json, which says rule by rule what their
// implementation passed, and junit.xml for CI systems.
//
// # Rule status
//
// A spec names its rules with "rule:ID" labels and its profile with a
// "profile:NAME" label. Only It specs count; suite setup nodes do not. A spec
// is executed when it ran, or was skipped while running (Skip(), or a skip
// Ginkgo derives at run time, such as a failed ordered container); a spec
// left out by the label filter, or marked pending in the suite, is not.
// Over a rule's specs, its status is:
//
//   - failed: any spec failed, panicked, timed out, aborted or was interrupted;
//   - passed: otherwise, at least one spec passed;
//   - skipped: otherwise, at least one executed spec skipped; reason holds
//     the first such spec's skip message;
//   - not_claimed: no spec executed and the rule is pending in spec/, so no
//     implementation is asked to meet it yet;
//   - not_run: no spec executed and the rule is not pending, typically
//     because its profile was not selected.
//
// Every rule of spec/ that is not withdrawn appears exactly once, sorted by
// id in natural order (CFG-2 before CFG-10); ids that tests name but spec/
// lacks are left out, since ci/speccheck rejects them. A rule's profile is
// the first "profile:" label met on its specs in report order, and its specs
// count is the number of its executed specs.
//
// The summary counts rules by status. not_run is counted as skipped: both
// mean "this run says nothing about the rule", and the summary keeps the
// four totals of the published schema, which add up to the number of rules.
//
// # Measurements
//
// Specs record numbers with Measure, or with AddReportEntry directly under a
// name beginning "measurement:". Write collects every such entry from every
// node; when a name repeats, the last one in report order wins.
//
// # Results file
//
//	{"implementation": "...", "suite_version": "...", "upstream": "mock",
//	 "profiles": ["core"],
//	 "rules": [{"id": "CFG-3", "profile": "core", "level": "MUST",
//	            "status": "passed", "specs": 2}],
//	 "measurements": {"peak_rss_bytes": 41943040},
//	 "summary": {"passed": 1, "failed": 0, "skipped": 0, "not_claimed": 0}}
//
// A rule carries one optional extra field, "reason", only when skipped.
package report

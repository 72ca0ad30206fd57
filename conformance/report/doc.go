// Package report turns a Ginkgo run of the conformance suite into the files
// a third party publishes: results.json, which says profile by profile and
// rule by rule what their implementation passed, report.md, the same for
// people, and junit.xml for CI systems.
//
// # Rule status
//
// A spec names its rules with "rule:ID" labels. A rule's profile is the one
// spec/ declares for it (package specrules), never a label. Only It specs
// count; suite setup nodes do not. A spec is executed when it ran, or was
// skipped while running (Skip(), or a skip Ginkgo derives at run time); a
// spec left out by the label filter, or marked pending in the suite, is not.
// Each rule of spec/ that is not withdrawn gets one status:
//
//   - not_claimed: the rule is pending in spec/, or its profile is not among
//     the claimed ones (reason says which);
//   - failed: any spec failed, panicked, timed out, aborted or was
//     interrupted (message holds the first failure's first line);
//   - passed: otherwise, at least one spec passed;
//   - skipped: otherwise, at least one executed spec skipped; reason holds
//     the first such spec's skip message;
//   - not_run: no spec of a claimed rule executed (a focus, a label filter).
//
// A rule's specs count is the number of its specs that ran to a verdict
// (passed or failed); specs skipped at run time are not counted. Rules are
// sorted by id in natural order (CFG-2 before CFG-10); ids that tests name
// but spec/ lacks are left out, since ci/speccheck rejects them.
//
// # Profile verdicts
//
// Each profile of spec/'s table gets a verdict, as Gateway API's reports do:
// not_claimed when the implementation did not claim it or all its rules are
// pending (a declared profile without rules is left out); else failure when a
// MUST rule of it failed, partial when none failed but a MUST rule was
// skipped or not run, success otherwise. SHOULD and MAY rules are listed
// under the profile but do not change its verdict.
//
// # Measurements
//
// Specs record numbers with Measure, or with AddReportEntry directly under a
// name beginning "measurement:". Write collects every such entry from every
// node; when a name repeats, the last one in report order wins.
//
// # Results file
//
//	{"implementation": "...", "suite_version": "...", "spec_version": "0.2.0",
//	 "spec_digest": "<sha256 of spec/>", "upstream": "mock",
//	 "claimed_profiles": ["core"],
//	 "profiles": [{"name": "core", "claimed": true, "verdict": "success",
//	               "passed": 1, "failed": 0, "skipped": 0, "not_run": 0,
//	               "failed_rules": [], "skipped_rules": [], "not_run_rules": []}],
//	 "rules": [{"id": "CFG-3", "profile": "core", "level": "MUST",
//	            "status": "passed", "specs": 2}],
//	 "measurements": {"peak_rss_bytes": 41943040},
//	 "summary": {"passed": 1, "failed": 0, "skipped": 0, "not_run": 0, "not_claimed": 0}}
//
// A rule carries "reason" only when skipped or not claimed, and "message"
// only when failed.
package report

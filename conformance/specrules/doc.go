// Package specrules reads the normative rules out of the Markdown files in
// spec/ so that tooling can check and report on them by id.
//
// A rule is a Markdown list item whose text begins with a bold id followed by
// a parenthesised level:
//
//   - **CFG-3** (MUST) An empty value means unset ...
//   - **ISO-12** (MUST, pending) ...
//   - **CFG-9** (withdrawn) ...
//
// Ids match [A-Z]+-[0-9]+ and are unique across all files. Levels are the
// RFC 2119 words MUST, SHOULD and MAY. "pending" marks a rule the suite does
// not test yet; "withdrawn" retires an id for good (ids are never reused, so
// a withdrawn rule stays in the file). Everything else in the files, including
// fenced code blocks that show examples of the format, is ignored.
//
// Each rule belongs to exactly one profile: the file's "Profile: `name`"
// line under its title, or a "profile: name" attribute after the level,
// as in (MUST, profile: isolation). Load also reads the conventions file
// (00-conventions.md): its "Version:" line and its profile table, whose rows
// `name` | covers are the only profiles a rule may name.
//
// Parse is deliberately strict: a bold id without a recognised level, or an id
// used twice, is an error, because a silently skipped rule would be a rule
// that nobody checks.
package specrules

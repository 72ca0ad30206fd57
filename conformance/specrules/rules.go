package specrules

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// Levels of obligation, as written in spec files.
const (
	LevelMust   = "MUST"
	LevelShould = "SHOULD"
	LevelMay    = "MAY"
)

// Rule is one normative statement of the spec.
type Rule struct {
	ID    string // e.g. "CFG-3"
	Level string // MUST, SHOULD or MAY; empty for a withdrawn rule that names none
	// Pending marks a rule that is specified but not yet tested.
	Pending bool
	// Withdrawn marks a retired id; it is kept so the id is never reused.
	Withdrawn bool
	File      string // path of the spec file, as dir joined with its name
	Line      int    // 1-based line of the list item
	Text      string // the rule's prose after the level, continuation lines joined
}

// Location returns "file:line" for messages that point an editor at the rule.
func (r Rule) Location() string {
	return fmt.Sprintf("%s:%d", r.File, r.Line)
}

var (
	// itemPattern finds a list item that opens with bold text; whether the
	// bold text is an id is decided afterwards so that ordinary bold prose
	// in lists is left alone.
	itemPattern = regexp.MustCompile(`^\s*(?:[-*+]|[0-9]+[.)])\s+\*\*([^*]+)\*\*(.*)$`)
	idPattern   = regexp.MustCompile(`^[A-Z]+-[0-9]+$`)
	// looksLikeID catches near-misses such as "cfg-3" or "CFG-3a", which are
	// more likely typos than prose and must not vanish silently.
	looksLikeID = regexp.MustCompile(`^[A-Za-z]+-?[0-9]+[A-Za-z]*$`)
	// newBlock marks lines that end a list item's continuation text.
	newBlock = regexp.MustCompile("^\\s*(?:[-*+]\\s|[0-9]+[.)]\\s|#|>|\\||```|~~~)")
)

// Parse reads every *.md file directly in dir, in name order, and returns
// the rules found, in file order. All problems are reported together, one
// per line, so an author can fix a file in one pass.
func Parse(dir string) ([]Rule, error) {
	// Glob reports no error for a missing directory; a typo in -spec must
	// not read as "no rules".
	if _, err := os.Stat(dir); err != nil {
		return nil, fmt.Errorf("reading spec directory: %w", err)
	}
	files, err := filepath.Glob(filepath.Join(dir, "*.md"))
	if err != nil {
		return nil, fmt.Errorf("listing spec files: %w", err)
	}
	sort.Strings(files)
	var rules []Rule
	var errs []error
	for _, f := range files {
		found, err := parseFile(f)
		rules = append(rules, found...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, duplicates(rules)...)
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	return rules, nil
}

func parseFile(path string) ([]Rule, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("reading spec file: %w", err)
	}
	var rules []Rule
	var errs []error
	var open *Rule // the rule whose continuation lines are being collected
	inFence := false
	sc := bufio.NewScanner(strings.NewReader(string(data)))
	sc.Buffer(make([]byte, 0, 64*1024), 1<<20)
	for n := 1; sc.Scan(); n++ {
		line := sc.Text()
		if isFence(line) {
			inFence = !inFence
			open = nil
			continue
		}
		if inFence {
			continue
		}
		if open != nil && continues(line) {
			open.Text = strings.TrimSpace(open.Text + " " + strings.TrimSpace(line))
			continue
		}
		open = nil
		r, ok, err := parseLine(line)
		if err != nil {
			errs = append(errs, fmt.Errorf("%s:%d: %w", path, n, err))
			continue
		}
		if ok {
			r.File, r.Line = path, n
			rules = append(rules, r)
			open = &rules[len(rules)-1]
		}
	}
	if err := sc.Err(); err != nil {
		errs = append(errs, fmt.Errorf("scanning %s: %w", path, err))
	}
	return rules, errors.Join(errs...)
}

func isFence(line string) bool {
	t := strings.TrimSpace(line)
	return strings.HasPrefix(t, "```") || strings.HasPrefix(t, "~~~")
}

// continues reports whether line belongs to the list item above it: a
// wrapped paragraph line rather than a blank line or the start of a new block.
func continues(line string) bool {
	return strings.TrimSpace(line) != "" && !newBlock.MatchString(line)
}

// parseLine reports whether line is a rule item and, if it is, the rule.
func parseLine(line string) (Rule, bool, error) {
	m := itemPattern.FindStringSubmatch(line)
	if m == nil {
		return Rule{}, false, nil
	}
	id := strings.TrimSpace(m[1])
	if !idPattern.MatchString(id) {
		if looksLikeID.MatchString(id) {
			return Rule{}, false, fmt.Errorf("malformed rule id %q: want [A-Z]+-[0-9]+", id)
		}
		return Rule{}, false, nil
	}
	r := Rule{ID: id}
	rest := strings.TrimSpace(m[2])
	if !strings.HasPrefix(rest, "(") {
		return Rule{}, false, fmt.Errorf("rule %s has no level: want (MUST), (SHOULD), (MAY) or (withdrawn) after the id", id)
	}
	end := strings.Index(rest, ")")
	if end < 0 {
		return Rule{}, false, fmt.Errorf("rule %s: unclosed level parenthesis", id)
	}
	if err := r.setAttributes(rest[1:end]); err != nil {
		return Rule{}, false, fmt.Errorf("rule %s: %w", id, err)
	}
	r.Text = strings.TrimSpace(rest[end+1:])
	return r, true, nil
}

// setAttributes interprets the parenthesised list after an id: a level and
// optional flags, or "withdrawn" alone, which need not keep its old level.
func (r *Rule) setAttributes(attrs string) error {
	for i, a := range strings.Split(attrs, ",") {
		a = strings.TrimSpace(a)
		switch {
		case i == 0 && (a == LevelMust || a == LevelShould || a == LevelMay):
			r.Level = a
		case a == "withdrawn" && !r.Withdrawn:
			r.Withdrawn = true
		case a == "pending" && i > 0 && !r.Pending:
			r.Pending = true
		default:
			return fmt.Errorf("unrecognised level %q in (%s): want MUST, SHOULD or MAY, optionally followed by \", pending\", or (withdrawn)", a, attrs)
		}
	}
	if r.Pending && r.Withdrawn {
		return fmt.Errorf("both pending and withdrawn")
	}
	return nil
}

func duplicates(rules []Rule) []error {
	first := make(map[string]Rule, len(rules))
	var errs []error
	for _, r := range rules {
		if prev, ok := first[r.ID]; ok {
			errs = append(errs, fmt.Errorf("%s: duplicate rule id %s, first defined at %s", r.Location(), r.ID, prev.Location()))
			continue
		}
		first[r.ID] = r
	}
	return errs
}

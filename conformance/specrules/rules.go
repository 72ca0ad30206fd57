package specrules

import (
	"bufio"
	"errors"
	"fmt"
	"regexp"
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
	// Profile is the one profile the rule belongs to: its file's
	// "Profile: `name`" line, or a "profile: name" attribute of the rule.
	Profile string
	File    string // path of the spec file, as dir joined with its name
	Line    int    // 1-based line of the list item
	Text    string // the rule's prose after the level, continuation lines joined
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
	// profileLinePattern is a file's default profile, e.g. "Profile: `tenancy`".
	profileLinePattern = regexp.MustCompile("^Profile:\\s*(.*)$")
	profileName        = regexp.MustCompile(`^[a-z][a-z0-9-]*$`)
)

// profileLine reports whether line declares its file's profile and which.
func profileLine(line string) (string, bool, error) {
	m := profileLinePattern.FindStringSubmatch(strings.TrimSpace(line))
	if m == nil {
		return "", false, nil
	}
	// A closing full stop is how prose ends a line; it is not part of the name.
	v := strings.TrimSuffix(strings.TrimSpace(m[1]), ".")
	name, ok := strings.CutPrefix(v, "`")
	name, ok2 := strings.CutSuffix(name, "`")
	if !ok || !ok2 || !profileName.MatchString(name) {
		return "", true, fmt.Errorf("malformed Profile line %q: want Profile: `name`", strings.TrimSpace(line))
	}
	return name, true, nil
}

// Parse reads every *.md file directly in dir, in name order, and returns
// the rules found, in file order. All problems are reported together, one
// per line, so an author can fix a file in one pass. It is LoadDir without
// the profile registry and the version.
func Parse(dir string) ([]Rule, error) {
	spec, err := LoadDir(dir)
	if err != nil {
		return nil, err
	}
	return spec.Rules, nil
}

// parseFile reads the rules of one file. name is the path used in messages
// and in Rule.File. A "Profile: `name`" line before the first rule gives
// every rule of the file its profile unless the rule names its own.
func parseFile(name string, data []byte) ([]Rule, error) {
	path := name
	var rules []Rule
	fileProfile := ""
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
		if p, ok, err := profileLine(line); ok || err != nil {
			switch {
			case err != nil:
				errs = append(errs, fmt.Errorf("%s:%d: %w", path, n, err))
			case fileProfile != "" || len(rules) > 0:
				errs = append(errs, fmt.Errorf("%s:%d: a file's Profile line comes once, under its title, before any rule", path, n))
			default:
				fileProfile = p
			}
			continue
		}
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
	for i := range rules {
		r := &rules[i]
		if r.Profile == "" {
			r.Profile = fileProfile
		}
		if r.Profile == "" && !r.Withdrawn {
			errs = append(errs, fmt.Errorf("%s: rule %s has no profile: put a line \"Profile: `name`\" under the file's title, or \"profile: name\" in the rule's parentheses", r.Location(), r.ID))
		}
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
		case strings.HasPrefix(a, "profile:") && i > 0 && r.Profile == "":
			name := strings.TrimSpace(strings.TrimPrefix(a, "profile:"))
			if !profileName.MatchString(name) {
				return fmt.Errorf("profile %q in (%s): want lower-case letters, digits and dashes", name, attrs)
			}
			r.Profile = name
		default:
			return fmt.Errorf("unrecognised level %q in (%s): want MUST, SHOULD or MAY, optionally followed by \", pending\" and \", profile: name\", or (withdrawn)", a, attrs)
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

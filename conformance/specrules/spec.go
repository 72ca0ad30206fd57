package specrules

import (
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
)

// ConventionsFile is the spec file that declares the version and the profiles.
const ConventionsFile = "00-conventions.md"

// Spec is the whole contract: its version, the profiles a rule may belong
// to, and the rules.
type Spec struct {
	// Version is the "Version: x.y.z" line of the conventions file.
	Version string
	// Digest is the hex SHA-256 over every spec file's name and content, in
	// name order: two runs with the same digest judged the same text.
	Digest   string
	Profiles []Profile
	Rules    []Rule
}

// Profile is one row of the conventions file's profile table.
type Profile struct {
	Name   string
	Covers string
}

// ProfileNames returns the declared profile names, in table order.
func (s Spec) ProfileNames() []string {
	out := make([]string, 0, len(s.Profiles))
	for _, p := range s.Profiles {
		out = append(out, p.Name)
	}
	return out
}

var (
	// profileRow is a row of the profile table: | `name` | what it covers |
	profileRow  = regexp.MustCompile("^\\|\\s*`([^`]+)`\\s*\\|\\s*(.*?)\\s*\\|\\s*$")
	versionLine = regexp.MustCompile(`^Version:\s*(\S+)\s*$`)
)

// LoadDir is Load on a directory of the file system; rule locations name
// files as dir joined with the file name.
func LoadDir(dir string) (Spec, error) {
	// A missing directory must not read as "no rules".
	if _, err := os.Stat(dir); err != nil {
		return Spec{}, fmt.Errorf("reading spec directory: %w", err)
	}
	return Load(os.DirFS(dir), dir)
}

// Load reads every *.md file at the root of fsys, in name order. prefix is
// joined before file names in messages and Rule.File. A rule whose profile
// the conventions file does not declare is an error, as is a profile
// declared twice; all problems are reported together.
func Load(fsys fs.FS, prefix string) (Spec, error) {
	names, err := fs.Glob(fsys, "*.md")
	if err != nil {
		return Spec{}, fmt.Errorf("listing spec files: %w", err)
	}
	sort.Strings(names)
	var spec Spec
	var errs []error
	digest := sha256.New()
	for _, name := range names {
		data, err := fs.ReadFile(fsys, name)
		if err != nil {
			errs = append(errs, fmt.Errorf("reading spec file: %w", err))
			continue
		}
		fmt.Fprintf(digest, "%s\x00%d\x00", name, len(data))
		digest.Write(data)
		shown := filepath.Join(prefix, name)
		if prefix == "" {
			shown = path.Clean(name)
		}
		if name == ConventionsFile {
			spec.Version, spec.Profiles, err = parseConventions(shown, data)
			if err != nil {
				errs = append(errs, err)
			}
		}
		found, err := parseFile(shown, data)
		spec.Rules = append(spec.Rules, found...)
		if err != nil {
			errs = append(errs, err)
		}
	}
	spec.Digest = hex.EncodeToString(digest.Sum(nil))
	errs = append(errs, duplicates(spec.Rules)...)
	errs = append(errs, undeclared(spec)...)
	if len(errs) > 0 {
		return Spec{}, errors.Join(errs...)
	}
	return spec, nil
}

// parseConventions reads the version line and the profile table (the rows
// of the table under the "## Profiles" heading whose first cell is a
// backquoted name). Adding a profile is adding one row.
func parseConventions(name string, data []byte) (version string, profiles []Profile, err error) {
	var errs []error
	inProfiles, inFence := false, false
	seen := map[string]int{}
	for n, line := range strings.Split(string(data), "\n") {
		t := strings.TrimSpace(line)
		if isFence(t) {
			inFence = !inFence
		}
		if inFence {
			continue
		}
		if m := versionLine.FindStringSubmatch(t); m != nil && version == "" {
			version = m[1]
		}
		if strings.HasPrefix(t, "#") {
			inProfiles = strings.EqualFold(strings.TrimSpace(strings.TrimLeft(t, "#")), "profiles")
			continue
		}
		m := profileRow.FindStringSubmatch(t)
		if !inProfiles || m == nil {
			continue
		}
		p := Profile{Name: m[1], Covers: m[2]}
		if !profileName.MatchString(p.Name) {
			errs = append(errs, fmt.Errorf("%s:%d: profile %q: want lower-case letters, digits and dashes", name, n+1, p.Name))
			continue
		}
		if first, dup := seen[p.Name]; dup {
			errs = append(errs, fmt.Errorf("%s:%d: profile %s declared twice, first at line %d", name, n+1, p.Name, first))
			continue
		}
		seen[p.Name] = n + 1
		profiles = append(profiles, p)
	}
	if version == "" {
		errs = append(errs, fmt.Errorf("%s: no \"Version: x.y.z\" line", name))
	}
	return version, profiles, errors.Join(errs...)
}

// undeclared finds rules whose profile the conventions file lacks. Without a
// conventions file (a fixture holding rules only) nothing is checked.
func undeclared(spec Spec) []error {
	if len(spec.Profiles) == 0 {
		return nil
	}
	known := map[string]bool{}
	for _, p := range spec.Profiles {
		known[p.Name] = true
	}
	var errs []error
	for _, r := range spec.Rules {
		if r.Profile != "" && !known[r.Profile] {
			errs = append(errs, fmt.Errorf("%s: rule %s belongs to profile %q, which %s does not declare",
				r.Location(), r.ID, r.Profile, ConventionsFile))
		}
	}
	return errs
}

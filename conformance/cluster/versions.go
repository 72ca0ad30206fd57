package cluster

import (
	"bufio"
	"fmt"
	"os"
	"regexp"
	"strings"
)

var (
	versionKey  = regexp.MustCompile(`^[A-Z][A-Z0-9_]*$`)
	versionRef  = regexp.MustCompile(`\$\{([A-Z][A-Z0-9_]*)\}`)
	fullVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
)

// resolveVersion turns what OPENSEARCH_VERSION may hold into a full version,
// as ci/opensearch.sh's resolve_version does, so a container runs the same
// version the local node would. The file is read only when version is an
// alias: a full version needs no pins.
func resolveVersion(version, file string, env func(string) (string, bool)) (string, error) {
	key := ""
	switch version {
	case "", "default":
		key = "OPENSEARCH_VERSION"
	case "2", "3":
		key = "OPENSEARCH_VERSION_" + version
	}
	v := version
	if key != "" {
		pins, err := loadVersions(file, env)
		if err != nil {
			return "", err
		}
		v = pins[key]
	}
	if !fullVersion.MatchString(v) {
		return "", fmt.Errorf("resolving OpenSearch version %q: %q is not a version like 2.19.6", version, v)
	}
	return v, nil
}

// loadVersions reads the KEY=VALUE pins. As in the script, a variable already
// set in the environment wins over the file, and ${NAME} sees winning values.
func loadVersions(file string, env func(string) (string, bool)) (map[string]string, error) {
	f, err := os.Open(file)
	if err != nil {
		return nil, fmt.Errorf("reading OpenSearch version pins: %w", err)
	}
	defer f.Close()
	pins := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		key, value, ok := strings.Cut(sc.Text(), "=")
		if !ok || !versionKey.MatchString(key) {
			continue
		}
		if v, set := env(key); set && v != "" {
			pins[key] = v
			continue
		}
		pins[key] = versionRef.ReplaceAllStringFunc(value, func(ref string) string {
			return pins[versionRef.FindStringSubmatch(ref)[1]]
		})
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("reading OpenSearch version pins: %w", err)
	}
	return pins, nil
}

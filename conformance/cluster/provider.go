package cluster

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
)

// The environment variables that Choose reads.
const (
	// EnvURL names an existing cluster; when set, nothing is provisioned.
	EnvURL = "OSPROXY_CONFORMANCE_OPENSEARCH_URL"
	// EnvCluster forces a provisioning provider: "local" or "testcontainers".
	EnvCluster = "OSPROXY_CONFORMANCE_CLUSTER"
	// EnvVersion selects the OpenSearch version; empty means the pinned default.
	EnvVersion = "OPENSEARCH_VERSION"
)

// Provider gives the suite one OpenSearch cluster for the length of a run.
type Provider interface {
	// Start provides the cluster and returns its base URL without a trailing
	// slash. It is called at most once per Provider.
	Start(ctx context.Context) (url string, err error)
	// Stop releases whatever Start provisioned, including a half-started node
	// when Start failed. It does nothing when there is nothing to release.
	Stop(ctx context.Context) error
	// Name names the provider for logs and the report: "existing", "local" or
	// "testcontainers".
	Name() string
}

// Choose picks the provider for this machine (see the package documentation
// for the order). env looks a variable up as os.LookupEnv does, and an empty
// value counts as unset. dockerAvailable is consulted only when neither a URL
// nor a forced provider decides, because probing costs up to a few seconds.
// moduleRoot is the directory holding go.mod, under which ci/ lives.
func Choose(env func(string) (string, bool), dockerAvailable func(ctx context.Context) bool, moduleRoot string) Provider {
	if url := lookup(env, EnvURL); url != "" {
		return &Existing{URL: url}
	}
	version := lookup(env, EnvVersion)
	switch forced := lookup(env, EnvCluster); forced {
	case "local":
		return newLocal(moduleRoot, version)
	case "testcontainers":
		return newTestcontainers(moduleRoot, version, env)
	case "":
	default:
		return &unknown{value: forced}
	}
	if dockerAvailable(context.Background()) {
		return newTestcontainers(moduleRoot, version, env)
	}
	return newLocal(moduleRoot, version)
}

func newLocal(moduleRoot, version string) *Local {
	return &Local{Script: filepath.Join(moduleRoot, "ci", "opensearch.sh"), Version: version}
}

func newTestcontainers(moduleRoot, version string, env func(string) (string, bool)) *Testcontainers {
	return &Testcontainers{
		Version:      version,
		VersionsFile: filepath.Join(moduleRoot, "ci", "opensearch-versions.env"),
		Env:          env,
	}
}

// lookup returns the variable's value with surrounding space removed, so a
// stray newline from a CI secret does not become part of a URL.
func lookup(env func(string) (string, bool), name string) string {
	v, _ := env(name)
	return strings.TrimSpace(v)
}

// Existing is a cluster that the suite did not start: Start only reports its
// URL, and Stop leaves it running because its owner, not the suite, decides
// its lifetime.
type Existing struct {
	// URL is the cluster's base URL; a trailing slash is dropped so callers
	// can append paths that begin with one.
	URL string
}

// Start returns the URL without trailing slashes.
func (e *Existing) Start(context.Context) (string, error) {
	url := strings.TrimRight(strings.TrimSpace(e.URL), "/")
	if url == "" {
		return "", errors.New("using an existing cluster: no URL given")
	}
	return url, nil
}

// Stop does nothing: the cluster belongs to whoever started it.
func (e *Existing) Stop(context.Context) error { return nil }

// Name returns "existing".
func (e *Existing) Name() string { return "existing" }

// unknown stands for a misspelt EnvCluster. Choose cannot return an error, and
// falling back to another provider would run the suite somewhere the user did
// not ask for, so the mistake surfaces when the cluster is first needed.
type unknown struct{ value string }

func (u *unknown) Start(context.Context) (string, error) {
	return "", fmt.Errorf("choosing a cluster: %s=%q, want local or testcontainers", EnvCluster, u.value)
}

func (u *unknown) Stop(context.Context) error { return nil }

func (u *unknown) Name() string { return "unknown" }

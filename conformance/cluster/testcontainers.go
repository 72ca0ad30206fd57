package cluster

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/testcontainers/testcontainers-go"
	"github.com/testcontainers/testcontainers-go/wait"
)

const (
	// imageRepository is the official image; its tags are release versions,
	// the same numbers as the Maven Central distribution the local node uses.
	imageRepository = "opensearchproject/opensearch"
	httpPort        = "9200/tcp"
	// healthPath answers 200 once the single node is yellow or green, the
	// same readiness ci/opensearch.sh waits for.
	healthPath = "/_cluster/health?wait_for_status=yellow&timeout=5s"
	// startTimeout covers a JVM's cold start on a small runner; the image
	// pull before it is bounded by the caller's context instead.
	startTimeout = 3 * time.Minute
	// probeTimeout bounds DockerAvailable: long enough for a local engine to
	// answer, short enough that a machine without one barely notices.
	probeTimeout = 3 * time.Second
)

// Testcontainers runs a throwaway OpenSearch container through
// testcontainers-go, for machines where a Docker engine answers. It is not
// safe for concurrent use.
type Testcontainers struct {
	// Version is a full version, a major alias (2, 3), or empty for the
	// default, resolved through VersionsFile as ci/opensearch.sh resolves it.
	Version string
	// VersionsFile is ci/opensearch-versions.env.
	VersionsFile string
	// Env looks variables up as os.LookupEnv does, letting OPENSEARCH_VERSION_2
	// and friends override the file as they do for the script; nil means
	// os.LookupEnv.
	Env func(string) (string, bool)
	// Stderr receives testcontainers' progress; nil means os.Stderr.
	Stderr io.Writer

	container *testcontainers.DockerContainer
}

// Image returns the image reference Start would run.
func (p *Testcontainers) Image() (string, error) {
	env := p.Env
	if env == nil {
		env = os.LookupEnv
	}
	v, err := resolveVersion(p.Version, p.VersionsFile, env)
	if err != nil {
		return "", err
	}
	return imageRepository + ":" + v, nil
}

// Start runs the container, waits until the cluster is healthy, and returns
// the URL of its published HTTP port.
func (p *Testcontainers) Start(ctx context.Context) (url string, err error) {
	if p.container != nil {
		return "", errors.New("starting an OpenSearch container: already started")
	}
	image, err := p.Image()
	if err != nil {
		return "", fmt.Errorf("starting an OpenSearch container: %w", err)
	}
	// testcontainers panics on some broken engine set-ups; the suite should
	// report that as a failed start, not crash.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("starting %s: testcontainers panicked: %v", image, r)
		}
	}()
	c, err := testcontainers.Run(ctx, image, p.options()...)
	// Kept even on error: Run may return a created container that Stop must remove.
	p.container = c
	if err != nil {
		return "", fmt.Errorf("starting %s: %w", image, err)
	}
	url, err = c.PortEndpoint(ctx, httpPort, "http")
	if err != nil {
		return "", fmt.Errorf("finding the HTTP port of %s: %w", image, err)
	}
	return url, nil
}

func (p *Testcontainers) options() []testcontainers.ContainerCustomizer {
	out := p.Stderr
	if out == nil {
		out = os.Stderr
	}
	return []testcontainers.ContainerCustomizer{
		testcontainers.WithLogger(log.New(out, "testcontainers: ", log.LstdFlags)),
		testcontainers.WithExposedPorts(httpPort),
		testcontainers.WithEnv(containerEnv()),
		testcontainers.WithWaitStrategy(wait.ForHTTP(healthPath).
			WithPort(httpPort).
			WithStartupTimeout(startTimeout)),
	}
}

// containerEnv configures the image like the local node: one node, plain
// HTTP without credentials, and the same small heap.
func containerEnv() map[string]string {
	return map[string]string{
		"discovery.type": "single-node",
		// The integ-test-zip the local node runs has no security plugin; the
		// suite speaks plain HTTP to both.
		"DISABLE_SECURITY_PLUGIN": "true",
		// Images from 2.12 on refuse to start without an admin password
		// unless the demo security configuration is skipped.
		"DISABLE_INSTALL_DEMO_CONFIG": "true",
		"OPENSEARCH_JAVA_OPTS":        "-Xms512m -Xmx512m",
	}
}

// Stop removes the container, if Start created one.
func (p *Testcontainers) Stop(ctx context.Context) error {
	if p.container == nil {
		return nil
	}
	if err := p.container.Terminate(ctx); err != nil {
		return fmt.Errorf("removing the OpenSearch container: %w", err)
	}
	p.container = nil
	return nil
}

// Name returns "testcontainers".
func (p *Testcontainers) Name() string { return "testcontainers" }

// DockerAvailable reports whether testcontainers-go finds a Docker engine
// that answers within a few seconds. It returns false, never panicking, when
// there is no engine, the socket is dead, or the engine is too slow; the
// probe may outlive the call, but the caller never waits for it.
func DockerAvailable(ctx context.Context) bool {
	ctx, cancel := context.WithTimeout(ctx, probeTimeout)
	defer cancel()
	// Buffered so that a probe answering after the timeout can still finish.
	answer := make(chan bool, 1)
	go func() { answer <- probeDocker(ctx) }()
	select {
	case ok := <-answer:
		return ok
	case <-ctx.Done():
		return false
	}
}

func probeDocker(ctx context.Context) (ok bool) {
	// testcontainers panics where it cannot work out a Docker host.
	defer func() {
		if recover() != nil {
			ok = false
		}
	}()
	quiet := testcontainers.WithLogger(log.New(io.Discard, "", 0))
	provider, err := testcontainers.ProviderDefault.GetProvider(quiet)
	if err != nil {
		return false
	}
	// Health closes the provider after asking the engine for its info.
	return provider.Health(ctx) == nil
}

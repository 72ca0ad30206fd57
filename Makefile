# osproxy — every target works on a fresh machine; `make test` is what CI runs.
SHELL := /bin/bash
include ci/opensearch-versions.env

GO        ?= go
BIN       := bin/osproxy
RESULTS   ?= results
FUZZTIME  ?= 10s
RUN_PORT  ?= 8080
export OSPROXY_CONFORMANCE_BINARY ?= $(CURDIR)/$(BIN)

.PHONY: build dist dist-verify test unit lint arch spec-check fuzz conformance conformance-real conformance-real-all conformance-secured \
        conformance-runner conformance-original clients opensearch opensearch-stop run bench bench-full bench-tls clean

build:
	$(GO) build -ldflags "-X main.commit=$$(git rev-parse --short=12 HEAD 2>/dev/null)" -o $(BIN) ./cmd/osproxy

# Release binaries for linux amd64 and arm64: static, reproducible, stamped with
# the version and commit --version prints, with SHA256SUMS (ci/dist.sh).
dist:
	@ci/dist.sh dist

# Rebuild from an empty build cache and compare with dist/SHA256SUMS.
dist-verify:
	@ci/dist.sh verify dist

# Everything CI runs: static checks, unit tests with -race, a short fuzz, the
# conformance suite on the mock upstream, then against both pinned OpenSearch
# lines, then the stock clients.
# The original Rust osproxy's run comes last and never fails the build (see
# conformance-original).
test: lint arch spec-check unit fuzz conformance conformance-real-all conformance-secured clients
	@OSPROXY_ORIGINAL_CACHED_ONLY=1 ci/conformance-original.sh $(OPENSEARCH_VERSION_2) || true

unit:
	$(GO) test -race -count=1 ./osproxy/... ./mockupstream/... ./conformance/harness/... \
		./conformance/report/... ./conformance/specrules/... ./conformance/cluster/... \
		./ci/speccheck/... ./cmd/... ./internal/... ./deploy/...

lint:
	@out=$$(gofmt -l $$(git ls-files '*.go')); if [ -n "$$out" ]; then echo "gofmt would change: $$out"; exit 1; fi
	$(GO) vet ./...
	cd clients/go && $(GO) vet .

arch:
	@ci/arch.sh

spec-check:
	$(GO) run ./ci/speccheck -spec spec -tests conformance

fuzz:
	$(GO) test -run '^$$' -fuzz '^FuzzTransformHits$$' -fuzztime $(FUZZTIME) ./osproxy/jsonstream/
	$(GO) test -run '^$$' -fuzz '^FuzzValidate$$' -fuzztime $(FUZZTIME) ./osproxy/jsonstream/
	$(GO) test -run '^$$' -fuzz '^FuzzJudgeSearch$$' -fuzztime $(FUZZTIME) ./osproxy/query/
	$(GO) test -run '^$$' -fuzz '^FuzzShaping$$' -fuzztime $(FUZZTIME) ./osproxy/tenant/
	$(GO) test -run '^$$' -fuzz '^FuzzParseRequest$$' -fuzztime $(FUZZTIME) ./osproxy/h1/
	$(GO) test -run '^$$' -fuzz '^FuzzReadShaping$$' -fuzztime $(FUZZTIME) ./osproxy/tenant/

# The suite on the mock upstream (results in $(RESULTS)/).
conformance: build
	OSPROXY_CONFORMANCE_REPORT_DIR=$(CURDIR)/$(RESULTS) \
		$(GO) test -count=1 -timeout 30m ./conformance/; rc=$$?; \
		ci/summary.sh $(RESULTS)/results.json || true; exit $$rc

# The suite against a real OpenSearch: OSPROXY_CONFORMANCE_OPENSEARCH_URL when set,
# else a local node of OPENSEARCH_VERSION started by ci/opensearch.sh.
conformance-real: build
	OSPROXY_CONFORMANCE_UPSTREAM=opensearch OPENSEARCH_VERSION=$(OPENSEARCH_VERSION) \
		OSPROXY_CONFORMANCE_REPORT_DIR=$(CURDIR)/$(RESULTS)/opensearch-$(OPENSEARCH_VERSION) \
		$(GO) test -count=1 -timeout 30m ./conformance/; rc=$$?; \
		ci/summary.sh $(RESULTS)/opensearch-$(OPENSEARCH_VERSION)/results.json || true; exit $$rc

conformance-real-all:
	$(MAKE) conformance-real OPENSEARCH_VERSION=$(OPENSEARCH_VERSION_2)
	$(MAKE) conformance-real OPENSEARCH_VERSION=$(OPENSEARCH_VERSION_3)

# The suite as one self-contained binary for third parties: spec/ embedded,
# configured only by OSPROXY_CONFORMANCE_* (see the README).
conformance-runner:
	rm -rf conformance/runnerdata && mkdir -p conformance/runnerdata/spec conformance/runnerdata/ci
	cp spec/*.md conformance/runnerdata/spec/
	cp ci/opensearch.sh ci/opensearch-install.sh ci/opensearch-versions.env conformance/runnerdata/ci/
	$(GO) test -c -tags osproxy_runner -o bin/osproxy-conformance ./conformance/; rc=$$?; \
		rm -rf conformance/runnerdata; exit $$rc

# The suite against the original Rust osproxy (crate osproxy-server, built by
# ci/original.sh), on the mock and on OpenSearch $(OPENSEARCH_VERSION_2), into
# $(RESULTS)/original-*/, then the rule-by-rule table docs/conformance-comparison.md.
# Informational: it exits 0 whatever the original does, and says so when the
# original cannot be built here.
conformance-original: build
	@ci/conformance-original.sh $(OPENSEARCH_VERSION_2)

# The secured-upstream profile against OpenSearch with its security plugin
# (HTTPS, users), started on a free port and stopped afterwards.
conformance-secured: build
	@ci/conformance-secured.sh $(RESULTS)/opensearch-secured

# Stock opensearch-py, opensearch-js and opensearch-go through osproxy against a real OpenSearch.
clients:
	@ci/clients.sh

opensearch:
	@ci/opensearch.sh start $(OPENSEARCH_VERSION)

opensearch-stop:
	@ci/opensearch.sh stop all

# The main job: osproxy in front of a local real OpenSearch, ready for curl.
run: build
	@SECURED=$(SECURED) ci/run.sh $(OPENSEARCH_VERSION) $(RUN_PORT)

bench:
	@ci/bench.sh quick

bench-full:
	@ci/bench.sh full

# Passthrough and tenancy cells with the upstream over TLS beside plain HTTP.
bench-tls:
	@ci/bench-tls.sh

clean:
	rm -rf bin dist $(RESULTS)

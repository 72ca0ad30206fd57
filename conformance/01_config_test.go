package conformance_test

import (
	"path/filepath"
	"strings"
	"syscall"

	. "github.com/onsi/ginkgo/v2"
	. "github.com/onsi/gomega"

	"github.com/osproxy/osproxy/conformance/harness"
)

var _ = Describe("01 configuration: sources", func() {
	It("CFG-1: takes a setting from the config file when neither the environment nor a flag sets it", Label("rule:CFG-1", "profile:core"), func() {
		fromFile := startUpstream()
		p := startProxy(cfgPermissive(nil), "--config", cfgPassthroughFile(fromFile.URL()))
		cfgProbe(p, fromFile)
	})

	It("CFG-1: lets an OSPROXY_<KEY> variable override the config file", Label("rule:CFG-1", "profile:core"), func() {
		fromFile, fromEnv := startUpstream(), startUpstream()
		p := startProxy(cfgPermissive(map[string]string{"OSPROXY_PASSTHROUGH_ENDPOINT": fromEnv.URL()}),
			"--config", cfgPassthroughFile(fromFile.URL()))
		cfgProbe(p, fromEnv, fromFile)
	})

	It("CFG-1: lets a flag override the environment and the config file", Label("rule:CFG-1", "profile:core"), func() {
		fromFile, fromEnv, fromFlag := startUpstream(), startUpstream(), startUpstream()
		p := startProxy(cfgPermissive(map[string]string{"OSPROXY_PASSTHROUGH_ENDPOINT": fromEnv.URL()}),
			"--config", cfgPassthroughFile(fromFile.URL()), "--passthrough_endpoint", fromFlag.URL())
		cfgProbe(p, fromFlag, fromEnv, fromFile)
	})

	It("CFG-1: accepts --key=value and reads dashes in a flag name as underscores", Label("rule:CFG-1", "profile:core"), func() {
		m := startUpstream()
		p := startProxy(cfgPermissive(nil), "--passthrough-cluster", "flagged", "--passthrough-endpoint="+m.URL())
		cfgProbe(p, m)
	})

	It("CFG-1: binds the address a flag names rather than the environment's", Label("rule:CFG-1", "profile:core"), func() {
		envAddr, flagAddr := harness.FreeAddr(), harness.FreeAddr()
		cfgSpawn(map[string]string{harness.BindEnv: envAddr}, "--bind", flagAddr)
		cfgListening(flagAddr)
		Expect(cfgDialErr(envAddr)).To(MatchError(syscall.ECONNREFUSED))
	})

	It("CFG-2: reads the file named by --config PATH, --config=PATH, or else OSPROXY_CONFIG", Label("rule:CFG-2", "profile:core"), func() {
		named, other := startUpstream(), startUpstream()
		namedFile, otherFile := cfgPassthroughFile(named.URL()), cfgPassthroughFile(other.URL())
		for _, c := range []struct {
			env  map[string]string
			args []string
		}{
			{map[string]string{}, []string{"--config", namedFile}},
			{map[string]string{}, []string{"--config=" + namedFile}},
			{map[string]string{"OSPROXY_CONFIG": namedFile}, nil},
			{map[string]string{"OSPROXY_CONFIG": otherFile}, []string{"--config", namedFile}},
		} {
			named.Reset()
			cfgProbe(startProxy(cfgPermissive(c.env), c.args...), named, other)
		}
	})

	It("CFG-2: ignores blank and comment lines, trims keys and values and splits a line at its first =", Label("rule:CFG-2", "profile:core"), func() {
		m := startUpstream()
		path := cfgWriteFile("# osproxy\n\n   \n" +
			"   passthrough_cluster   =   legacy   \n" +
			"\tpassthrough_endpoint=" + m.URL() + "\t\n" +
			"# tokens = commented=out\n" +
			"tokens = s3cr3t=svc\n")
		p := startProxy(cfgPermissive(nil), "--config", path)
		cfgExpectTokenApplied(p, m, "s3cr3t")
	})

	It("CFG-2: removes one pair of matching quotes around a value", Label("rule:CFG-2", "profile:core"), func() {
		m := startUpstream()
		path := cfgWriteFile("passthrough_cluster = 'legacy'\n" +
			"passthrough_endpoint = \"" + m.URL() + "\"\n" +
			"tokens = \"'s3cr3t'=svc\"\n")
		p := startProxy(cfgPermissive(nil), "--config", path)
		expectRefused(send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", "Bearer s3cr3t"), 401)
		expectNothingForwarded(m)
		send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", "Bearer 's3cr3t'")
		Expect(onlyRequest(m).RequestURI).To(Equal("/legacy/_doc/1"))
	})

	It("CFG-2: keeps quotes that do not match", Label("rule:CFG-2", "profile:core"), func() {
		for _, token := range []string{`"s3cr3t'`, `'s3cr3t"`} {
			m := startUpstream()
			path := cfgWriteFile("passthrough_cluster = legacy\npassthrough_endpoint = " + m.URL() + "\ntokens = " + token + "=svc\n")
			p := startProxy(cfgPermissive(nil), "--config", path)
			expectRefused(send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", "Bearer s3cr3t"), 401)
			send("GET", p.URL+"/legacy/_doc/1", "", "Authorization", "Bearer "+token)
			Expect(onlyRequest(m).RequestURI).To(Equal("/legacy/_doc/1"), "token %s", token)
		}
	})

	It("CFG-2: reads a bare key under [section] as section_key, else as the key itself", Label("rule:CFG-2", "profile:core"), func() {
		m := startUpstream()
		path := cfgWriteFile("[passthrough]\ncluster = legacy\nendpoint = " + m.URL() + "\ntokens = s3cr3t=svc\n")
		p := startProxy(cfgPermissive(nil), "--config", path)
		cfgExpectTokenApplied(p, m, "s3cr3t")
	})

	It("CFG-2: returns to the top level after a [] line", Label("rule:CFG-2", "profile:core"), func() {
		// The bare key is read at the top level, where no key `cluster` exists.
		cfgExpectError("cluster", map[string]string{}, "--config", cfgWriteFile("[passthrough]\n[]\ncluster = legacy\n"))
	})

	It("CFG-3: treats an empty environment variable as unset, so the file's value applies", Label("rule:CFG-3", "profile:core"), func() {
		m := startUpstream()
		path := cfgWriteFile("passthrough_cluster = legacy\npassthrough_endpoint = " + m.URL() + "\ntokens = s3cr3t=svc\n")
		p := startProxy(cfgPermissive(map[string]string{"OSPROXY_TOKENS": "", "OSPROXY_PASSTHROUGH_ENDPOINT": ""}), "--config", path)
		cfgExpectTokenApplied(p, m, "s3cr3t")
	})

	It("CFG-3: treats an empty flag as unset, so the environment's value applies", Label("rule:CFG-3", "profile:core"), func() {
		m := startUpstream()
		env := passthroughEnv(m.URL())
		env["OSPROXY_TOKENS"] = "s3cr3t=svc"
		p := startProxy(env, "--tokens=", "--passthrough_endpoint", "")
		cfgExpectTokenApplied(p, m, "s3cr3t")
	})

	It("CFG-3: treats an empty value in the file as unset, so the default applies", Label("rule:CFG-3", "profile:core"), func() {
		m := searchUpstream()
		path := cfgWriteFile("index =\npassthrough_cluster =\npassthrough_endpoint = \"\"\nupstream = ''\nallow_cleartext_mutation = yes\n")
		p := startProxy(map[string]string{"OSPROXY_UPSTREAM": m.URL()}, "--config", path)
		cfgSearch(p)
		Expect(onlyRequest(m).RawPath).To(Equal("/osproxy-shared/_search"))
	})

	It("CFG-4: reads 1, true and yes as true, in any case and ignoring surrounding white space", Label("rule:CFG-4", "profile:core"), func() {
		m := searchUpstream()
		for _, v := range []string{"1", "true", "yes", "TRUE", "Yes", " yEs\t", " 1 "} {
			m.Reset()
			env := tenancyEnv(m.URL())
			env["OSPROXY_ALLOW_CLEARTEXT_MUTATION"] = v
			cfgSearch(startProxy(env))
			Expect(m.Requests()).To(HaveLen(1), "allow_cleartext_mutation=%q: the search must reach the upstream", v)
		}
	})

	It("CFG-4: reads 0, false and no as false, in any case and ignoring surrounding white space", Label("rule:CFG-4", "profile:core"), func() {
		m := searchUpstream()
		for _, v := range []string{"0", "false", "no", "FALSE", "No", " nO\t", " 0 "} {
			env := tenancyEnv(m.URL())
			env["OSPROXY_ALLOW_CLEARTEXT_MUTATION"] = v
			r := cfgSearch(startProxy(env))
			Expect(r.Status).To(BeNumerically(">=", 400), "allow_cleartext_mutation=%q: a cleartext search must be refused", v)
		}
		expectNothingForwarded(m)
	})

	It("CFG-4: rejects any other boolean spelling with an error naming the key", Label("rule:CFG-4", "profile:core"), func() {
		for _, v := range []string{"on", "off", "y", "n", "2", "t", "truee", "yes!", "tr ue"} {
			cfgExpectError("allow_cleartext_mutation", map[string]string{"OSPROXY_ALLOW_CLEARTEXT_MUTATION": v})
		}
		cfgExpectError("allow_cleartext_mutation", map[string]string{}, "--allow_cleartext_mutation", "enabled")
		cfgExpectError("allow_cleartext_mutation", map[string]string{}, "--config", cfgWriteFile("allow_cleartext_mutation = maybe\n"))
	})

	It("CFG-5: rejects an unknown key in the config file as `unknown setting`", Label("rule:CFG-5", "profile:core"), func() {
		reason := cfgExpectError("frobnicate", map[string]string{}, "--config", cfgWriteFile("bind = 127.0.0.1:0\nfrobnicate = 1\n"))
		Expect(reason).To(Equal("unknown setting"))
		reason = cfgExpectError("max_body", map[string]string{}, "--config", cfgWriteFile("max_body = 10\n"))
		Expect(reason).To(Equal("unknown setting"))
	})

	It("CFG-5: rejects an unknown flag as `unknown setting`", Label("rule:CFG-5", "profile:core"), func() {
		Expect(cfgExpectError("frobnicate", map[string]string{}, "--frobnicate", "1")).To(Equal("unknown setting"))
		Expect(cfgExpectError("frobnicate", map[string]string{}, "--frobnicate=1")).To(Equal("unknown setting"))
	})

	It("CFG-5: ignores OSPROXY_ variables that name no key", Label("rule:CFG-5", "profile:core"), func() {
		m := startUpstream()
		env := passthroughEnv(m.URL())
		env["OSPROXY_FROBNICATE"] = "1"
		env["OSPROXY_LOG_LEVEL"] = "not a value of anything"
		cfgProbe(startProxy(env), m)
	})

	It("CFG-6: validates the whole configuration before opening any socket", Label("rule:CFG-6", "profile:core"), func() {
		// Each configuration is first tried on a free port; one this binary
		// does not refuse there is another rule's business and is not judged.
		// On a taken port, a binary that bound before validating would report
		// `osproxy: binding …` instead of the config error.
		taken := cfgOccupy("tcp", "127.0.0.1:0")
		judged := 0
		for _, env := range []map[string]string{
			{"OSPROXY_ALLOW_CLEARTEXT_MUTATION": "maybe"},
			{"OSPROXY_PASSTHROUGH_CLUSTER": "lonely"},
			{"OSPROXY_SHUTDOWN_TIMEOUT": "-1s"},
			{"OSPROXY_UPSTREAM_TIMEOUT": "0s"},
		} {
			stdout, stderr, code := cfgRunConfig(env)
			if code != 1 || !strings.HasPrefix(stderr, "osproxy: config: `") {
				continue
			}
			judged++
			Expect(stdout).NotTo(ContainSubstring("listening"), "env %v: a refused configuration never listens", env)
			env[harness.BindEnv] = taken // it must exit either way: no listening probe here
			_, stderr, code = cfgRun(env)
			Expect(code).To(Equal(1), "env %v", env)
			Expect(stderr).To(HavePrefix("osproxy: config: `"), "env %v", env)
			Expect(stderr).NotTo(ContainSubstring("binding"), "env %v", env)
		}
		if judged == 0 {
			Skip("this binary refuses none of the invalid configurations tried, so validation order cannot be observed")
		}
	})

	It("CFG-6: prints only the first error, as one line, and exits 1", Label("rule:CFG-6", "profile:core"), func() {
		_, stderr, code := cfgRun(map[string]string{
			harness.BindEnv: "nonsense", "OSPROXY_INDEX": "UPPER", "OSPROXY_MAX_BODY_BYTES": "-5",
		})
		Expect(code).To(Equal(1))
		Expect(stderr).To(MatchRegexp("^osproxy: config: `(bind|index|max_body_bytes)`: [^\n]+\n$"))
	})

	It("CFG-7: reports a file line without = on field `file` with its line number", Label("rule:CFG-7", "profile:core"), func() {
		path := cfgWriteFile("# comment\n\nbind = 127.0.0.1:0\njust some words\nindex = fine\n")
		_, stderr, code := cfgRun(map[string]string{}, "--config", path)
		Expect(code).To(Equal(1))
		Expect(stderr).To(Equal("osproxy: config: `file`: line 4: expected `key = value`\n"))
	})

	It("CFG-7: reports an unreadable config file on field `config`", Label("rule:CFG-7", "profile:core"), func() {
		dir := GinkgoT().TempDir()
		missing := filepath.Join(dir, "absent.conf")
		cfgExpectError("config", map[string]string{}, "--config", missing)
		cfgExpectError("config", map[string]string{"OSPROXY_CONFIG": missing})
		cfgExpectError("config", map[string]string{}, "--config="+dir)
	})

	It("CFG-8: prints a usage text naming every key on --help and exits 0", Label("rule:CFG-8", "profile:core"), func() {
		stdout, stderr, code := cfgRun(map[string]string{}, "--help")
		Expect(code).To(Equal(0), "stderr: %s", stderr)
		for _, k := range cfgKeys {
			Expect(stdout).To(MatchRegexp(`(^|[^a-z_])`+k+`([^a-z_]|$)`), "usage text lacks %s:\n%s", k, stdout)
		}
	})

	It("CFG-8: prints `osproxy <version>` on --version and exits 0", Label("rule:CFG-8", "profile:core"), func() {
		stdout, stderr, code := cfgRun(map[string]string{}, "--version")
		Expect(code).To(Equal(0), "stderr: %s", stderr)
		Expect(stdout).To(MatchRegexp(`^osproxy \S+\n$`))
	})
})

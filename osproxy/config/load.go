package config

import (
	"fmt"
	"os"
	"strings"
)

// Action tells the caller what the command line asked for besides running.
type Action int

const (
	// Run means start the proxy.
	Run Action = iota
	// Help means print Usage and exit 0 (CFG-8).
	Help
	// Version means print the version and exit 0 (CFG-8).
	Version
)

// Load layers file < environment < flags (CFG-1) and validates the result.
// lookupEnv is os.LookupEnv in production; readFile is os.ReadFile.
func Load(args []string, lookupEnv func(string) (string, bool), readFile func(string) ([]byte, error)) (*Config, Action, error) {
	flags, path, action, err := parseFlags(args)
	if err != nil || action != Run {
		return nil, action, err
	}
	if path == "" {
		path, _ = lookupEnv("OSPROXY_CONFIG")
	}
	values := map[string]string{}
	if path != "" {
		data, err := readFile(path)
		if err != nil {
			return nil, Run, &Error{"config", fmt.Sprintf("reading %s: %s", path, FileReason(err))}
		}
		if err := parseFile(string(data), values); err != nil {
			return nil, Run, err
		}
	}
	for _, k := range keys {
		if v, ok := lookupEnv("OSPROXY_" + strings.ToUpper(k.name)); ok && v != "" {
			values[k.name] = v
		}
	}
	for name, v := range flags {
		values[name] = v
	}
	cfg, err := build(values)
	return cfg, Run, err
}

// build applies every key in order, using the default where no layer set it.
func build(values map[string]string) (*Config, error) {
	cfg := &Config{settings: settingsOf(values)}
	for _, k := range keys {
		v, ok := values[k.name]
		if !ok || v == "" { // CFG-3: empty means unset
			v = k.def
		}
		if err := k.apply(cfg, v); err != nil {
			return nil, err
		}
	}
	return cfg, crossCheck(cfg)
}

// parseFlags reads --key value and --key=value pairs (CFG-1), --config, --help and --version.
func parseFlags(args []string) (map[string]string, string, Action, error) {
	out := map[string]string{}
	path := ""
	for i := 0; i < len(args); i++ {
		arg := args[i]
		switch arg {
		case "--help", "-h", "-help":
			return nil, "", Help, nil
		case "--version", "-version":
			return nil, "", Version, nil
		}
		if !strings.HasPrefix(arg, "--") {
			return nil, "", Run, &Error{"flags", fmt.Sprintf("unexpected argument %q", arg)}
		}
		name, value, hasValue := strings.Cut(arg[2:], "=")
		if !hasValue {
			if i+1 >= len(args) {
				if name == "config" {
					return nil, "", Run, &Error{"config", "--config needs a path"}
				}
				return nil, "", Run, &Error{"flags", "--" + name + " needs a value"}
			}
			i++
			value = args[i]
		}
		canonical := strings.ReplaceAll(name, "-", "_")
		if canonical == "config" {
			path = value
			continue
		}
		if _, ok := lookupKey(canonical); !ok {
			return nil, "", Run, &Error{name, "unknown setting"}
		}
		if value != "" {
			out[canonical] = value
		}
	}
	return out, path, Run, nil
}

// FileReason is a file error's OS reason without the path, for a reason that
// names the path once itself.
func FileReason(err error) string {
	if pe, ok := err.(*os.PathError); ok {
		return pe.Err.Error()
	}
	return err.Error()
}

package config

import (
	"fmt"
	"io"
	"strings"
)

// WriteUsage prints the --help text: every key with its default (CFG-8).
func WriteUsage(w io.Writer) {
	fmt.Fprintln(w, "usage: osproxy [--config PATH] [--KEY VALUE | --KEY=VALUE]...")
	fmt.Fprintln(w, "\nEach KEY may also come from OSPROXY_<KEY> or a config file line `key = value`.")
	fmt.Fprintln(w, "Precedence: file < environment < flags. An empty value means unset.")
	fmt.Fprintln(w, "\nkeys:")
	for _, k := range keys {
		def := k.def
		if def == "" {
			def = "unset"
		}
		fmt.Fprintf(w, "  %-26s %s (default %s; env OSPROXY_%s)\n", k.name, k.help, def, strings.ToUpper(k.name))
	}
}

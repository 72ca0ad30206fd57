// Package config turns the config file, OSPROXY_* environment and flags into one
// validated Config, before any socket is opened (spec/01-configuration.md).
//
// It never reads the process environment itself: the caller passes a lookup
// function, so the layering is testable and cmd/osproxy stays the only place that
// touches os.Environ.
package config

// Package deploy holds examples of running osproxy in production: a systemd
// unit (osproxy.service) and a configuration file (osproxy.conf). It has no
// code; its test keeps both examples true to the binary: the configuration
// loads, and the unit starts the binary with flags it accepts and gives it
// the time its drain needs.
package deploy

// Command osproxy runs the proxy: it reads the configuration, binds the listener,
// serves until SIGINT or SIGTERM, then drains. Process lifecycle and wiring only;
// it is the one place that reads the process environment.
package main

// Package proc reads a process's CPU time and memory from /proc, the way the
// benchmark judges every proxy: from outside, with no cooperation from it.
package proc

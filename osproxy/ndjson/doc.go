// Package ndjson frames newline-delimited JSON bodies (_bulk, _msearch) into lines,
// strictly and with bounded memory, knowing nothing of what the lines mean.
package ndjson

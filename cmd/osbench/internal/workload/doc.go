// Package workload builds the pre-serialized requests of every benchmark
// cell, one variant per leg.
//
// Legs D, N, P and R send the client's request. Leg T sends it with the
// tenant header, and its direct baseline DT sends what the tenancy proxy
// itself sends upstream (physical index and id, routing, reserved fields
// injected, query wrapped), so T's added latency is the proxy's work alone
// and not the difference between two different requests ("fair by
// construction"). The shapes follow spec/03-05.
package workload

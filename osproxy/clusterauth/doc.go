// Package clusterauth is the proxy's side of trust with a cluster: the TLS
// client configuration that verifies the cluster and presents the proxy's own
// certificate, and the credentials the proxy sends as its Authorization,
// re-read from their files on demand (spec/12-secured-upstream.md).
//
// It knows nothing of tenants or requests' contents; it only configures and
// labels the connection to a cluster.
package clusterauth

// Package route classifies a request by method and raw path into the endpoint
// kind the proxy implements, with its logical index and document id still raw.
package route

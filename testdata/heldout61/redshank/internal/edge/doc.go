// Package edge is the Cloudflare Worker that assigns variants at the edge.
// It is built with GOOS=js GOARCH=wasm and binds two KV namespaces,
// EXPERIMENTS and METRICS, that the backend writes through the REST API.
package edge

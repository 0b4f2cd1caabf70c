// Package secrets stands for a secrets-engine plugin framework: it calls
// a path's Callback on each request, and the backend's PeriodicFunc once
// a tick, both with a request.
package secrets

import "context"

// Request is what the framework knows of a call.
type Request struct {
	Path string
	Data map[string]any
}

// Response is what a callback answers.
type Response struct{ Data map[string]any }

// Path routes requests that match Pattern to Callback.
type Path struct {
	Pattern  string
	Callback func(ctx context.Context, req *Request) (*Response, error)
}

// Backend is a plugin: its paths and its periodic job.
type Backend struct {
	Paths        []*Path
	PeriodicFunc func(ctx context.Context, req *Request) error
}

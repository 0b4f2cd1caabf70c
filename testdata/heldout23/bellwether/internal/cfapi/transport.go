// Package cfapi holds the HTTP plumbing shared by every call the service
// makes to the Cloudflare API.
package cfapi

import (
	"net/http"
	"time"
)

// Transport authenticates requests and tags them with the service's user
// agent.
type Transport struct {
	Token     string
	UserAgent string
	Base      http.RoundTripper
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	r := req.Clone(req.Context())
	if t.Token != "" && r.Header.Get("Authorization") == "" {
		r.Header.Set("Authorization", "Bearer "+t.Token)
	}
	if t.UserAgent != "" {
		r.Header.Set("User-Agent", t.UserAgent)
	}
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	return base.RoundTrip(r)
}

// NewHTTPClient returns a client using t.
func NewHTTPClient(t *Transport, timeout time.Duration) *http.Client {
	return &http.Client{Transport: t, Timeout: timeout}
}

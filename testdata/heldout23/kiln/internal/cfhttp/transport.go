// Package cfhttp holds the HTTP plumbing shared by the Cloudflare SDK
// clients.
package cfhttp

import (
	"net/http"
	"strconv"
	"time"
)

// Recorder receives one observation per API request.
type Recorder interface {
	Time(name string, d time.Duration)
}

// Transport adds a user agent and records API latency by status class.
type Transport struct {
	Base      http.RoundTripper
	UserAgent string
	Recorder  Recorder
}

// RoundTrip implements http.RoundTripper.
func (t *Transport) RoundTrip(req *http.Request) (*http.Response, error) {
	base := t.Base
	if base == nil {
		base = http.DefaultTransport
	}
	req = req.Clone(req.Context())
	if t.UserAgent != "" {
		req.Header.Set("User-Agent", t.UserAgent)
	}
	start := time.Now()
	res, err := base.RoundTrip(req)
	if t.Recorder != nil {
		class := "error"
		if err == nil {
			class = strconv.Itoa(res.StatusCode/100) + "xx"
		}
		t.Recorder.Time("cfapi."+class, time.Since(start))
	}
	return res, err
}

//go:build !(js && wasm)

package kvstore

import (
	"net/http"
	"time"
)

// httpClient tunes connection reuse for the long-lived server process.
func httpClient() *http.Client {
	tr := http.DefaultTransport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 32
	tr.IdleConnTimeout = 90 * time.Second
	return &http.Client{Transport: tr, Timeout: 15 * time.Second}
}

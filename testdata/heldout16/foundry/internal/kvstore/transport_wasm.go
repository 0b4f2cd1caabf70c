//go:build js && wasm

package kvstore

import (
	"net/http"
	"time"
)

// httpClient uses the fetch-backed default transport when the admin console
// is compiled to WebAssembly; connection tuning does not apply there.
func httpClient() *http.Client {
	return &http.Client{Timeout: 30 * time.Second}
}

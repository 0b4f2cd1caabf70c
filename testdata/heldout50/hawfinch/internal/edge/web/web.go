//go:build js && wasm

// Package web has the small helpers every edge handler uses: IDs, JSON
// responses and the client for the origin API.
package web

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"

	"github.com/syumai/workers/cloudflare/fetch"
)

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// JSON writes v with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error writes a JSON error body.
func Error(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, map[string]string{"error": msg})
}

// Origin talks to the marketplace API behind the worker.
type Origin struct {
	base string
	hc   *http.Client
}

// NewOrigin returns a client for the API at base.
func NewOrigin(base string) *Origin {
	return &Origin{base: base, hc: fetch.NewClient().HTTPClient(fetch.RedirectModeFollow)}
}

// Bytes fetches path and returns the body of a 200 response.
func (o *Origin) Bytes(ctx context.Context, path string) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, o.base+path, nil)
	if err != nil {
		return nil, err
	}
	res, err := o.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("origin: GET %s: %s", path, res.Status)
	}
	return io.ReadAll(res.Body)
}

// GetJSON fetches path and decodes the body into dst.
func (o *Origin) GetJSON(ctx context.Context, path string, dst any) error {
	b, err := o.Bytes(ctx, path)
	if err != nil {
		return err
	}
	return json.Unmarshal(b, dst)
}

// PostJSON posts body to path and decodes the reply into dst when dst is not nil.
func (o *Origin) PostJSON(ctx context.Context, path string, body, dst any) error {
	b, err := json.Marshal(body)
	if err != nil {
		return err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, o.base+path, bytes.NewReader(b))
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := o.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return fmt.Errorf("origin: POST %s: %s", path, res.Status)
	}
	if dst == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(dst)
}

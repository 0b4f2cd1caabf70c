// Package web has the small HTTP helpers every handler package uses.
package web

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"log/slog"
	"net/http"
)

// NewID returns a random, URL-safe identifier with 128 bits of entropy.
func NewID() string {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		panic("web: crypto/rand failed: " + err.Error())
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// JSON writes v with the given status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Warn("web: encode response", "err", err)
	}
}

// Fail logs err and writes a short JSON error.
func Fail(w http.ResponseWriter, r *http.Request, status int, err error) {
	slog.ErrorContext(r.Context(), "request failed", "path", r.URL.Path, "status", status, "err", err)
	JSON(w, status, map[string]string{"error": http.StatusText(status)})
}

// GetJSON fetches url with client and decodes the JSON body into v.
func GetJSON(ctx context.Context, client *http.Client, url string, v any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return err
	}
	res, err := client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("GET %s: %s", url, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(v)
}

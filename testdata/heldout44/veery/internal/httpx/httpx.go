// Package httpx has the small response helpers shared by the HTTP handlers.
package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"log/slog"
	"net/http"
)

// JSON writes v as a JSON response with the given status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		slog.Warn("httpx: encode response", "err", err)
	}
}

// Error writes a JSON error body.
func Error(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, map[string]string{"error": msg})
}

// Internal logs err and writes a 500.
func Internal(w http.ResponseWriter, r *http.Request, err error) {
	slog.Error("request failed", "method", r.Method, "path", r.URL.Path, "err", err)
	Error(w, http.StatusInternalServerError, "internal error")
}

// Reply writes v with status, or a 500 if err is set.
func Reply(w http.ResponseWriter, r *http.Request, status int, v any, err error) {
	if err != nil {
		Internal(w, r, err)
		return
	}
	JSON(w, status, v)
}

// NoContent writes a 204, or a 500 if err is set.
func NoContent(w http.ResponseWriter, r *http.Request, err error) {
	if err != nil {
		Internal(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Decode reads a JSON request body into v, rejecting unknown fields.
func Decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// RandomID returns n random bytes, hex encoded.
func RandomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

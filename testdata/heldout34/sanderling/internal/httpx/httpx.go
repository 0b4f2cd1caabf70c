// Package httpx has the small HTTP helpers the handlers share.
package httpx

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"net/http"

	"github.com/helpdeskco/sanderling/internal/kverr"
)

// JSON writes v as a JSON response with status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error writes a JSON error body.
func Error(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, map[string]string{"error": msg})
}

// Fail writes err with the status its kind calls for: 404 for a miss, 409
// for a conflict, 500 otherwise.
func Fail(w http.ResponseWriter, err error) {
	var conflict *kverr.ConflictError
	switch {
	case errors.Is(err, kverr.ErrMiss):
		Error(w, http.StatusNotFound, "not found")
	case errors.As(err, &conflict):
		Error(w, http.StatusConflict, conflict.Error())
	default:
		Error(w, http.StatusInternalServerError, err.Error())
	}
}

// Decode reads a JSON request body into dst, capped at limit bytes.
func Decode(r *http.Request, limit int64, dst any) error {
	return json.NewDecoder(http.MaxBytesReader(nil, r.Body, limit)).Decode(dst)
}

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// ClientIP returns the visitor address Cloudflare saw.
func ClientIP(r *http.Request) string {
	if ip := r.Header.Get("CF-Connecting-IP"); ip != "" {
		return ip
	}
	return r.RemoteAddr
}

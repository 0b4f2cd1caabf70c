// Package httpx has the JSON helpers shared by the HTTP handlers.
package httpx

import (
	"encoding/json"
	"net/http"
)

// JSON writes v with status code.
func JSON(w http.ResponseWriter, code int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	_ = json.NewEncoder(w).Encode(v)
}

// Error writes an OAuth-style error body.
func Error(w http.ResponseWriter, code int, err string) {
	JSON(w, code, map[string]string{"error": err})
}

// Decode reads a JSON request body of at most 64 KiB into v.
func Decode(r *http.Request, v any) error {
	return json.NewDecoder(http.MaxBytesReader(nil, r.Body, 64<<10)).Decode(v)
}

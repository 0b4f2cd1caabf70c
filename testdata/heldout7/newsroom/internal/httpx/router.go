package httpx

import (
	"encoding/json"
	"net/http"
)

// Routes maps a ServeMux pattern ("GET /a/{slug}") to a handler.
type Routes map[string]http.HandlerFunc

// NewRouter registers every table on a fresh ServeMux.
func NewRouter(tables ...Routes) *http.ServeMux {
	mux := http.NewServeMux()
	for _, t := range tables {
		for pattern, h := range t {
			mux.HandleFunc(pattern, h)
		}
	}
	return mux
}

// JSON writes v with the given status.
func JSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// Error writes a JSON error body.
func Error(w http.ResponseWriter, status int, msg string) {
	JSON(w, status, map[string]string{"error": msg})
}

// Package httpapi is the control plane's HTTP API.
package httpapi

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"

	"example.com/osprey/internal/domain"
)

// Routes maps Go 1.22 method patterns to handlers.
type Routes map[string]http.HandlerFunc

// Register adds every route to mux in a stable order.
func (r Routes) Register(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	patterns := make([]string, 0, len(r))
	for p := range r {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, p := range patterns {
		mux.Handle(p, wrap(r[p]))
	}
}

// Merge returns a copy of r with other's routes added.
func (r Routes) Merge(other Routes) Routes {
	out := make(Routes, len(r)+len(other))
	for k, v := range r {
		out[k] = v
	}
	for k, v := range other {
		out[k] = v
	}
	return out
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, err error) {
	status := http.StatusInternalServerError
	switch {
	case errors.Is(err, domain.ErrNotFound):
		status = http.StatusNotFound
	case errors.Is(err, domain.ErrConflict):
		status = http.StatusConflict
	case errors.Is(err, domain.ErrForbidden):
		status = http.StatusForbidden
	case errors.Is(err, domain.ErrLimited):
		status = http.StatusTooManyRequests
	case errors.Is(err, domain.ErrExpired):
		status = http.StatusUnauthorized
	}
	writeJSON(w, status, map[string]string{"error": err.Error()})
}

func decode(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

// Package httpapi exposes the backend's HTTP API.
package httpapi

import (
	"encoding/json"
	"log"
	"net/http"
	"sort"
	"time"
)

// Routes maps Go 1.22 mux patterns to handlers.
type Routes map[string]http.HandlerFunc

// Register adds every route to mux in a stable order.
func (rt Routes) Register(mux *http.ServeMux, wrap func(http.Handler) http.Handler) {
	patterns := make([]string, 0, len(rt))
	for p := range rt {
		patterns = append(patterns, p)
	}
	sort.Strings(patterns)
	for _, p := range patterns {
		var h http.Handler = rt[p]
		if wrap != nil {
			h = wrap(h)
		}
		mux.Handle(p, h)
	}
}

// Merge returns a copy of rt with other's routes added.
func (rt Routes) Merge(other Routes) Routes {
	out := make(Routes, len(rt)+len(other))
	for p, h := range rt {
		out[p] = h
	}
	for p, h := range other {
		out[p] = h
	}
	return out
}

type statusWriter struct {
	http.ResponseWriter
	status int
}

func (w *statusWriter) WriteHeader(code int) {
	w.status = code
	w.ResponseWriter.WriteHeader(code)
}

// Logging logs one line per request.
func Logging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w, status: http.StatusOK}
		next.ServeHTTP(sw, r)
		log.Printf("%s %s %d %s", r.Method, r.URL.Path, sw.status, time.Since(start).Round(time.Millisecond))
	})
}

// Recover turns panics into 500s.
func Recover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				log.Printf("panic: %v", v)
				http.Error(w, "internal error", http.StatusInternalServerError)
			}
		}()
		next.ServeHTTP(w, r)
	})
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func readJSON(r *http.Request, v any) error {
	dec := json.NewDecoder(http.MaxBytesReader(nil, r.Body, 1<<20))
	dec.DisallowUnknownFields()
	return dec.Decode(v)
}

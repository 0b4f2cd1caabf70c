//go:build js && wasm

package widget

import (
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/helpdeskco/sanderling/internal/edgekv"
	"github.com/helpdeskco/sanderling/internal/httpx"
	"github.com/helpdeskco/sanderling/internal/keys"
)

// RegisterKB adds the public knowledge-base endpoints to mux. Each one proxies
// an origin resource and keeps a copy in KV for its lifetime.
func (s *Service) RegisterKB(mux *http.ServeMux) {
	kb := []struct {
		path string
		ttl  time.Duration
		src  string
	}{
		{"GET /kb/categories", 30 * time.Minute, "/api/kb/categories"},
		{"GET /kb/popular", 10 * time.Minute, "/api/kb/popular"},
		{"GET /kb/status", 30 * time.Second, "/api/status/summary"}, // EXPECT kvttl
		{"GET /kb/holidays", 24 * time.Hour, "/api/calendar/holidays"},
	}
	for _, rt := range kb {
		mux.HandleFunc(rt.path, func(w http.ResponseWriter, r *http.Request) {
			s.serveCached(w, r, rt.src, rt.ttl)
		})
	}
}

// serveCached serves src from KV, fetching it from the origin on a miss.
func (s *Service) serveCached(w http.ResponseWriter, r *http.Request, src string, ttl time.Duration) {
	key := keys.Key("kb", strings.Trim(src, "/"))
	m, err := edgekv.Lookup(edgekv.Widget, key)
	if err != nil {
		log.Printf("kb cache %s: %v", key, err)
	}
	if body, ok := m.Get(); ok {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Cache", "HIT")
		_, _ = w.Write([]byte(body))
		return
	}
	body, err := s.origin.Get(r.Context(), src)
	if err != nil {
		httpx.Error(w, http.StatusBadGateway, "knowledge base unavailable")
		return
	}
	if err := edgekv.PutString(edgekv.Widget, key, string(body), ttl); err != nil {
		log.Printf("kb cache %s: %v", key, err)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Cache", "MISS")
	_, _ = w.Write(body)
}

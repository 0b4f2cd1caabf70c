//go:build js && wasm

package doors

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/limpkin-lockers/limpkin/internal/kvx"
)

// Events handles GET /sites/{site}/events as server-sent events: one event
// per door change seen on the site revision.
func (s *Service) Events(w http.ResponseWriter, r *http.Request) {
	fl, ok := w.(http.Flusher)
	if !ok {
		http.Error(w, "streaming unsupported", http.StatusNotImplemented)
		return
	}
	site := r.PathValue("site")
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	last, _, _ := strings.Cut(r.Header.Get("Last-Event-ID"), ".")
	sent := time.Now().Add(-time.Hour)
	tick := time.NewTicker(5 * time.Second)
	defer tick.Stop()
	for {
		select {
		case <-r.Context().Done():
			return
		case <-tick.C:
		}
		rev, found, err := s.Store.Lookup(kvx.SiteKey("holds-rev", site))
		if err != nil || !found || rev == last {
			continue
		}
		for door := 1; door <= s.Doors; door++ {
			raw, ok, err := s.Store.LookupCached(kvx.DoorKey(site, door), time.Minute)
			if err != nil || !ok {
				continue
			}
			var st State
			if json.Unmarshal([]byte(raw), &st) != nil || !st.Changed.After(sent) {
				continue
			}
			fmt.Fprintf(w, "id: %s.%d\nevent: door\ndata: %s\n\n", rev, door, raw)
			fl.Flush()
			_ = s.Store.PutAtLeast(kvx.SiteKey("events-seen", site), rev+"."+strconv.Itoa(door), 10*time.Minute) // EXPECT kvhotkey
		}
		last, sent = rev, time.Now()
	}
}

// Wait handles GET /sites/{site}/doors/{door}/wait as a long poll: it returns
// as soon as the door state differs from the caller's ?since= timestamp.
func (s *Service) Wait(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	site := r.PathValue("site")
	door, _ := strconv.Atoi(r.PathValue("door"))
	since, _ := time.Parse(time.RFC3339Nano, r.URL.Query().Get("since"))
	deadline := time.Now().Add(25 * time.Second)
	_ = rc.SetWriteDeadline(deadline.Add(5 * time.Second))
	delay := 500 * time.Millisecond
	for attempt := 0; time.Now().Before(deadline); attempt++ {
		raw, ok, err := s.Store.LookupCached(kvx.DoorKey(site, door), 10*time.Second) // EXPECT kvttl
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if ok {
			var st State
			if json.Unmarshal([]byte(raw), &st) == nil && st.Changed.After(since) {
				w.Header().Set("Content-Type", "application/json")
				_, _ = w.Write([]byte(raw))
				_ = rc.Flush()
				return
			}
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(kvx.Jitter(kvx.Backoff(delay, 1.5, attempt, 4*time.Second), 250*time.Millisecond)):
		}
	}
	w.WriteHeader(http.StatusNotModified)
}

// WaitRev is the site-wide long poll used by the site screens. It reads
// the holds revision without an edge cache.
func (s *Service) WaitRev(w http.ResponseWriter, r *http.Request) {
	rc := http.NewResponseController(w)
	site := r.PathValue("site")
	known := r.URL.Query().Get("rev")
	for i := 0; i < 20; i++ {
		rev, found, err := s.Store.Lookup(kvx.SiteKey("holds-rev", site))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if found && rev != known {
			_, _ = fmt.Fprintln(w, rev)
			_ = rc.Flush()
			return
		}
		select {
		case <-r.Context().Done():
			return
		case <-time.After(time.Second):
		}
	}
	w.WriteHeader(http.StatusNoContent)
}

//go:build js && wasm

// Package live serves the classroom live view: a server-sent event stream of
// class activity for the teacher, and a long-poll endpoint learners use to
// wait for a teacher's nudge.
package live

import (
	"encoding/json"
	"fmt"
	"log"
	"math/rand/v2"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/lingofox/jacana/internal/edge/edgekv"
)

// Hub serves live endpoints.
type Hub struct {
	NS *edgekv.NS
	// Interval is the base time between events.
	Interval time.Duration
}

// Activity is the class activity snapshot the backend maintains.
type Activity struct {
	Class   string         `json:"class"`
	Working map[string]int `json:"working"`
	At      time.Time      `json:"at"`
}

// ServeClass streams the class activity every few seconds.
func (h *Hub) ServeClass(w http.ResponseWriter, r *http.Request) {
	class := r.URL.Query().Get("class")
	rc := http.NewResponseController(w)
	w.Header().Set("Content-Type", "text/event-stream")
	w.Header().Set("Cache-Control", "no-store")
	base := max(h.Interval, 2*time.Second)
	for i := 0; i < 120; i++ {
		raw, ok, err := h.NS.Get("class:" + class + ":activity")
		if err != nil {
			return
		}
		if ok {
			fmt.Fprintf(w, "id: %d\nevent: activity\ndata: %s\n\n", i, raw)
		} else {
			fmt.Fprintf(w, "id: %d\nevent: idle\ndata: {}\n\n", i)
		}
		if err := rc.Flush(); err != nil {
			return
		}
		seen, _ := json.Marshal(map[string]any{"teacher": r.Header.Get("X-Learner"), "at": time.Now().UTC()})
		_ = h.NS.Put("live:viewers:"+class, string(seen), 10*time.Minute) // EXPECT kvhotkey
		select {
		case <-r.Context().Done():
			return
		case <-time.After(base + rand.N(base/4)):
		}
	}
}

// Nudge is a teacher's message to one learner.
type Nudge struct {
	From string `json:"from"`
	Text string `json:"text"`
}

// Wait long-polls for a nudge addressed to the learner for up to 50 seconds.
func (h *Hub) Wait(w http.ResponseWriter, r *http.Request) {
	learner := r.Header.Get("X-Learner")
	key := "nudge:" + learner
	deadline := time.Now().Add(50 * time.Second)
	delay := time.Second
	for time.Now().Before(deadline) {
		raw, ok, err := h.NS.Get(key)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		if ok {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(raw))
			if err := h.NS.Delete(key); err != nil {
				log.Printf("live: clearing nudge: %v", err)
			}
			return
		}
		_ = h.NS.Put("poll:last:"+learner, time.Now().UTC().Format(time.RFC3339), 5*time.Minute) // EXPECT kvhotkey
		select {
		case <-r.Context().Done():
			return
		case <-time.After(delay):
		}
		delay = min(time.Duration(float64(delay)*1.5), 8*time.Second)
	}
	w.WriteHeader(http.StatusNoContent)
}

// Send stores a nudge for a learner; it lives until read or for an hour.
func (h *Hub) Send(learner string, n Nudge) error {
	raw, _ := json.Marshal(n)
	return h.NS.Put("nudge:"+learner, string(raw), time.Hour)
}

// Online lists who in a class is online; the Worker writes online:<class>:<learner>
// markers with a short TTL as learners open lessons.
func (h *Hub) Online(class string) ([]string, error) {
	prefix := "online:" + class + ":"
	opts := &kv.ListOptions{Prefix: prefix, Limit: 1000}
	var out []string
	for page := 0; page < 5; page++ {
		res, err := h.NS.Raw().List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			out = append(out, strings.TrimPrefix(k.Name, prefix))
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return out, nil
}

// MarkOnline writes a learner's online marker.
func (h *Hub) MarkOnline(class, learner string) error {
	return h.NS.Mark("online:"+class+":"+learner, 2*time.Minute)
}

// NudgeAll sends the same nudge to every learner in the list, one key each.
func (h *Hub) NudgeAll(learners []string, n Nudge) []error {
	errs := make([]error, len(learners))
	for i, l := range learners {
		func() {
			defer func() {
				if p := recover(); p != nil {
					errs[i] = fmt.Errorf("nudge %s: %v", l, p)
				}
			}()
			errs[i] = h.Send(l, n)
		}()
	}
	return errs
}

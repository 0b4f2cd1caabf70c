//go:build js && wasm

// Package doors publishes the state of each locker door to the edge and
// streams it to the courier app and the site screens.
package doors

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/limpkin-lockers/limpkin/internal/edge/edgekv"
	"github.com/limpkin-lockers/limpkin/internal/kvx"
)

// State of one door.
type State struct {
	Door    int       `json:"door"`
	Open    bool      `json:"open"`
	Loaded  bool      `json:"loaded"`
	Fault   string    `json:"fault,omitempty"`
	Changed time.Time `json:"changed"`
}

// Service serves door state for one namespace.
type Service struct {
	Store *edgekv.Store
	// Doors is the number of doors per site; sites are uniform in this generation.
	Doors int
}

// Publish handles PUT /sites/{site}/doors/{door} from the locker controller.
func (s *Service) Publish(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	door, err := strconv.Atoi(r.PathValue("door"))
	if err != nil || door < 1 || door > s.Doors {
		http.Error(w, "bad door", http.StatusBadRequest)
		return
	}
	var st State
	if err := json.NewDecoder(r.Body).Decode(&st); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	st.Door, st.Changed = door, time.Now().UTC()
	raw, _ := json.Marshal(st)
	if err := s.Store.Put(kvx.DoorKey(site, door), string(raw)); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := s.Store.Put("doors:last-change", site+"/"+strconv.Itoa(door)); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// Snapshot handles GET /sites/{site}/doors: every door the site has reported.
func (s *Service) Snapshot(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	prefix := fmt.Sprintf("door:%s:", site)
	res, err := s.Store.NS().List(&cloudflare.KVNamespaceListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	out := make([]State, 0, len(res.Keys))
	for _, k := range res.Keys {
		raw, ok, err := s.Store.Lookup(k.Name) // EXPECT kvlist
		if err != nil || !ok {
			continue
		}
		var st State
		if json.Unmarshal([]byte(raw), &st) == nil {
			out = append(out, st)
		}
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

// Door handles GET /sites/{site}/doors/{door}.
func (s *Service) Door(w http.ResponseWriter, r *http.Request) {
	door, _ := strconv.Atoi(r.PathValue("door"))
	raw, ok, err := s.Store.LookupCached(kvx.DoorKey(r.PathValue("site"), door), time.Minute)
	switch {
	case err != nil:
		http.Error(w, err.Error(), http.StatusBadGateway)
	case !ok:
		http.NotFound(w, r)
	default:
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write([]byte(raw))
	}
}

// Faults handles GET /sites/{site}/faults, reading each door by index so
// the screen can render empty slots.
func (s *Service) Faults(w http.ResponseWriter, r *http.Request) {
	site := r.PathValue("site")
	var b strings.Builder
	for door := 1; door <= s.Doors; door++ {
		raw, ok, err := s.Store.LookupCached(kvx.DoorKey(site, door), 2*time.Minute)
		if err != nil || !ok {
			continue
		}
		var st State
		if json.Unmarshal([]byte(raw), &st) == nil && st.Fault != "" {
			fmt.Fprintf(&b, "%d\t%s\n", door, st.Fault)
		}
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	_, _ = w.Write([]byte(b.String()))
}

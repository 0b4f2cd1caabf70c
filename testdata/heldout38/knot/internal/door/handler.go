//go:build js && wasm

package door

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// GateConfig is what a door device needs to know about its lane.
type GateConfig struct {
	Gate      string   `json:"gate"`
	Sections  []string `json:"sections"`
	ReEntry   bool     `json:"re_entry"`
	ScanLimit int      `json:"scan_limit"`
}

// VenueConfig holds venue-wide settings edited from the admin dashboard.
type VenueConfig struct {
	Name     string `json:"name"`
	Timezone string `json:"timezone"`
	DoorsAt  string `json:"doors_at"`
}

// OfflineScan is a scan a device recorded while it had no network.
type OfflineScan struct {
	Code string `json:"code"`
	At   int64  `json:"at"`
}

// Handler serves the door device API.
type Handler struct {
	NS    *kv.Namespace
	Actor *Actor
}

const venueCacheTTL = 300

func (h *Handler) venue() (VenueConfig, error) {
	var v VenueConfig
	raw, err := h.NS.GetString("venue:config", &kv.GetOptions{CacheTTL: venueCacheTTL})
	if err != nil {
		return v, err
	}
	if raw == "<null>" {
		return VenueConfig{Name: "Venue", Timezone: "UTC"}, nil
	}
	return v, json.Unmarshal([]byte(raw), &v)
}

func (h *Handler) gate(id string) (GateConfig, error) {
	var g GateConfig
	raw, err := h.NS.GetString("gatecfg:"+id, &kv.GetOptions{
		CacheTTL: 15, // EXPECT kvttl
	})
	if err != nil {
		return g, err
	}
	if raw == "<null>" {
		return g, errors.New("door: unknown gate")
	}
	return g, json.Unmarshal([]byte(raw), &g)
}

// ServeHTTP routes the door API.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	gateID := r.URL.Query().Get("gate")
	switch r.URL.Path {
	case "/door/config":
		g, err := h.gate(gateID)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		v, err := h.venue()
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		writeJSON(w, map[string]any{"gate": g, "venue": v})
	case "/door/scan":
		res := h.Actor.Scan(r.Context(), r.URL.Query().Get("code"), gateID, 1500*time.Millisecond)
		writeJSON(w, res)
	case "/door/pause":
		if err := h.Actor.Pause(r.Context(), gateID, r.Header.Get("X-Staff")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case "/door/sync":
		h.sync(w, r, gateID)
	default:
		http.NotFound(w, r)
	}
}

// sync uploads scans recorded while the device was offline.
func (h *Handler) sync(w http.ResponseWriter, r *http.Request, gateID string) {
	var batch []OfflineScan
	if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
		http.Error(w, "bad batch", http.StatusBadRequest)
		return
	}
	accepted := 0
scans:
	for i, s := range batch {
		if s.Code == "" {
			continue scans
		}
		for j := range i {
			if batch[j].Code == s.Code {
				continue scans
			}
		}
		stamp := strconv.FormatInt(s.At, 10)
		if err := h.NS.PutString("offline:"+gateID+":"+s.Code, stamp, &kv.PutOptions{ExpirationTTL: 86400}); err != nil {
			break scans
		}
		if err := h.NS.PutString("gate:"+gateID+":lastsync", stamp, nil); err != nil { // EXPECT kvhotkey
			break scans
		}
		accepted++
	}
	writeJSON(w, map[string]int{"accepted": accepted, "received": len(batch)})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

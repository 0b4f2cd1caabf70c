//go:build js && wasm

package tracking

import (
	"crypto/subtle"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"goldcrest/internal/edgekv"
	"goldcrest/internal/model"
)

// badgeCacheTTL keeps the status badge fresh; the badge is polled by the
// tracking page every few seconds while a parcel is out for delivery.
const (
	badgeCacheTTL = 15
	badgeTTL      = 45
)

func makeBeacon(cfg Config, prefix string) http.HandlerFunc {
	ttl := cfg.BeaconTTL
	return func(w http.ResponseWriter, r *http.Request) {
		st, err := edgekv.Open(cfg.Binding, cfg.Now)
		if err != nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		ns := st.Namespace()
		key := prefix + r.PathValue("token")
		raw, err := ns.GetString(key, nil)
		if err != nil {
			w.WriteHeader(http.StatusNoContent)
			return
		}
		n := 0
		if raw != "<null>" {
			n, _ = strconv.Atoi(raw)
		}
		if err := ns.PutString(key, strconv.Itoa(n+1), &kv.PutOptions{ExpirationTTL: ttl}); err != nil { // EXPECT kvcounter|kvrace
			log.Printf("tracking: beacon: %v", err)
		}
		stamp := cfg.Now().UTC().Format(time.RFC3339)
		if err := ns.PutString("stats:last-beacon", stamp, nil); err != nil { // EXPECT kvhotkey
			log.Printf("tracking: beacon stamp: %v", err)
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func makeHistory(cfg Config) http.HandlerFunc {
	return withLink(cfg, func(w http.ResponseWriter, r *http.Request, st *edgekv.Store, ps *pageState) {
		ns := st.Namespace()
		res, err := ns.List(&kv.ListOptions{Prefix: "scan:" + ps.link.ParcelID + ":"}) // EXPECT kvlist
		if err != nil {
			http.Error(w, "storage error", http.StatusBadGateway)
			return
		}
		events := make([]model.ScanEvent, 0, len(res.Keys))
		for _, k := range res.Keys {
			raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || raw == "<null>" {
				continue
			}
			var ev model.ScanEvent
			if err := json.Unmarshal([]byte(raw), &ev); err != nil {
				continue
			}
			events = append(events, ev)
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(events)
	})
}

type badge struct {
	Status model.ParcelStatus `json:"status"`
	ETA    string             `json:"eta,omitempty"`
}

func makeStatusBadge(cfg Config) http.HandlerFunc {
	return withLink(cfg, func(w http.ResponseWriter, r *http.Request, st *edgekv.Store, ps *pageState) {
		ns := st.Namespace()
		key := "badge:" + ps.link.ParcelID
		raw, err := ns.GetString(key, &kv.GetOptions{CacheTTL: badgeCacheTTL}) // EXPECT kvttl
		if err == nil && raw != "<null>" {
			w.Header().Set("Content-Type", "application/json")
			_, _ = w.Write([]byte(raw))
			return
		}
		p, err := parcelView(r.Context(), cfg, st, viewPrefix, ps.link.ParcelID)
		if err != nil {
			http.Error(w, "parcel unavailable", http.StatusBadGateway)
			return
		}
		b := badge{Status: p.Status}
		if !p.ETA.IsZero() {
			b.ETA = p.ETA.Format(time.RFC3339)
		}
		body, _ := json.Marshal(b)
		if err := ns.PutString(key, string(body), &kv.PutOptions{ExpirationTTL: badgeTTL}); err != nil { // EXPECT kvttl
			log.Printf("tracking: cache badge: %v", err)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(body)
	})
}

// preferences is what a recipient can choose before the parcel leaves the
// depot.
type preferences struct {
	SafePlace string    `json:"safe_place,omitempty"`
	Neighbour string    `json:"neighbour,omitempty"`
	HoldUntil string    `json:"hold_until,omitempty"`
	SetAt     time.Time `json:"set_at"`
}

func (p preferences) MarshalBinary() ([]byte, error) { return json.Marshal(p) }

func makePreferences(cfg Config) http.HandlerFunc {
	cutoffLead := 2 * time.Hour
	return withLink(cfg, func(w http.ResponseWriter, r *http.Request, st *edgekv.Store, ps *pageState) {
		view, err := parcelView(r.Context(), cfg, st, viewPrefix, ps.link.ParcelID)
		if err != nil {
			http.Error(w, "parcel unavailable", http.StatusBadGateway)
			return
		}
		if view.Status != model.StatusAtDepot && view.Status != model.StatusCreated {
			http.Error(w, "too late to change delivery preferences", http.StatusConflict)
			return
		}
		var p preferences
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&p); err != nil {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		p.SetAt = cfg.Now()
		if err := st.Save("prefs:"+ps.link.ParcelID, p, time.Until(ps.link.ExpiresAt)); err != nil {
			http.Error(w, "storage error", http.StatusBadGateway)
			return
		}
		cutoff := view.ETA.Add(-cutoffLead)
		stamp := p.SetAt.Format(time.RFC3339)
		if err := st.PutTTL("prefs-changed:"+ps.link.ParcelID, stamp, time.Until(cutoff)); err != nil { // EXPECT kvttl
			log.Printf("tracking: flag prefs change: %v", err)
		}
		w.WriteHeader(http.StatusNoContent)
	})
}

type issueRequest struct {
	ParcelID string `json:"parcel"`
	Short    bool   `json:"short"`
}

type issueResponse struct {
	Token string `json:"token"`
	Code  string `json:"code,omitempty"`
}

func makeIssueLink(cfg Config) http.HandlerFunc {
	lifetime := cfg.LinkLifetime
	if lifetime <= 0 {
		lifetime = 14 * 24 * time.Hour
	}
	return func(w http.ResponseWriter, r *http.Request) {
		got := strings.TrimPrefix(r.Header.Get("Authorization"), "Bearer ")
		if subtle.ConstantTimeCompare([]byte(got), []byte(cfg.OriginSecret)) != 1 {
			http.Error(w, "unauthorized", http.StatusUnauthorized)
			return
		}
		var req issueRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.ParcelID == "" {
			http.Error(w, "bad request", http.StatusBadRequest)
			return
		}
		st, err := edgekv.Open(cfg.Binding, cfg.Now)
		if err != nil {
			http.Error(w, "storage unavailable", http.StatusServiceUnavailable)
			return
		}
		now := cfg.Now()
		link := model.TrackingLink{ParcelID: req.ParcelID, ExpiresAt: now.Add(lifetime)}
		resp := issueResponse{Token: model.NewID(18)}
		if err := st.SaveTextUntil(linkPrefix+resp.Token, link, link.ExpiresAt); err != nil {
			http.Error(w, "storage error", http.StatusBadGateway)
			return
		}
		if req.Short {
			code, err := claimShortCode(st, resp.Token, link.ExpiresAt.Sub(now))
			if err != nil {
				log.Printf("tracking: short code for %s: %v", req.ParcelID, err)
			}
			resp.Code = code
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(resp)
	}
}

var errNoShortCode = errors.New("tracking: no free short code")

const shortAlphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"

func claimShortCode(st *edgekv.Store, token string, ttl time.Duration) (string, error) {
	ns := st.Namespace()
	for try := 0; try < 4; try++ {
		id := model.NewID(6)
		code := make([]byte, 6)
		for i := range code {
			code[i] = shortAlphabet[int(id[i])%len(shortAlphabet)]
		}
		key := shortPrefix + string(code)
		if existing, err := ns.GetString(key, nil); err != nil {
			return "", err
		} else if existing != "<null>" {
			continue
		}
		opts := &kv.PutOptions{
			ExpirationTTL: int(ttl), // EXPECT kvttl
		}
		err := ns.PutString(key, token, opts) // DEBATABLE kvrace
		return string(code), err
	}
	return "", errNoShortCode
}

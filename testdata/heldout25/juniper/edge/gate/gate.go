//go:build js && wasm

// Package gate serves the venue-side endpoints of the Worker: scanner
// configuration, door scans, waiting-room status and the organizer OAuth
// hand-off.
package gate

import (
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/juniper/edge/kvbind"
	"example.com/juniper/internal/domain"
	"example.com/juniper/internal/keys"
)

// scannerCacheTTL is how long edge locations may cache a gate's scanner
// configuration, in seconds.
const scannerCacheTTL = 15

// Routes returns the gate handlers keyed by mux pattern.
func Routes() map[string]http.HandlerFunc {
	return map[string]http.HandlerFunc{
		"GET /gate/{event}/{gate}/config":    scannerConfig,
		"POST /gate/{event}/scan/{code}":     scan,
		"GET /queue/{event}/status":          queueStatus,
		"POST /queue/{event}/pass/{visitor}": issuePass,
		"GET /oauth/start":                   oauthStart,
		"GET /oauth/callback":                oauthCallback,
		"GET /gate/{event}/manifest":         manifest,
	}
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func scannerConfig(w http.ResponseWriter, r *http.Request) {
	k := strings.Join([]string{"gatecfg", r.PathValue("event"), r.PathValue("gate")}, ":")
	v, err := kvbind.Namespace().GetString(k, &kv.GetOptions{CacheTTL: scannerCacheTTL}) // EXPECT kvttl
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if kvbind.IsMissing(v) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(v))
}

func scan(w http.ResponseWriter, r *http.Request) {
	eventID := r.PathValue("event")
	raw, ok, err := kvbind.Lookup(keys.CheckinCode(eventID, r.PathValue("code")), 0)
	if err != nil {
		http.Error(w, "scanner offline", http.StatusServiceUnavailable)
		return
	}
	if !ok {
		http.Error(w, "not admitted", http.StatusForbidden)
		return
	}
	var c domain.CheckinCode
	if err := json.Unmarshal([]byte(raw), &c); err != nil || c.EventID != eventID {
		http.Error(w, "not admitted", http.StatusForbidden)
		return
	}
	seen := struct {
		Gate string `json:"gate"`
		At   int64  `json:"at"`
	}{r.URL.Query().Get("gate"), time.Now().Unix()}
	b, _ := json.Marshal(seen)
	_ = kvbind.Namespace().PutString("gate:last-seen", string(b), nil) // EXPECT kvhotkey
	writeJSON(w, c)
}

func queueStatus(w http.ResponseWriter, r *http.Request) {
	v, err := kvbind.Namespace().GetString(keys.QueueState(r.PathValue("event"))+":frontier", nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if v == "" { // EXPECT kvnull
		writeJSON(w, map[string]any{"open": false})
		return
	}
	frontier, _ := strconv.Atoi(v)
	writeJSON(w, map[string]any{"open": true, "frontier": frontier})
}

func issuePass(w http.ResponseWriter, r *http.Request) {
	k := keys.QueueTicket(r.PathValue("event"), r.PathValue("visitor")) + ":pass"
	if err := kvbind.Namespace().PutString(k, "1", &kv.PutOptions{ExpirationTTL: int(time.Minute)}); err != nil { // EXPECT kvttl
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func oauthStart(w http.ResponseWriter, r *http.Request) {
	var b [16]byte
	_, _ = rand.Read(b[:])
	state := hex.EncodeToString(b[:])
	ret := r.URL.Query().Get("return")
	if err := kvbind.Save("oauth-state:"+state, ret, 600); err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	q := url.Values{"state": {state}, "client_id": {"juniper-gate"}, "response_type": {"code"}}
	http.Redirect(w, r, "https://id.example.com/authorize?"+q.Encode(), http.StatusFound)
}

func oauthCallback(w http.ResponseWriter, r *http.Request) {
	state := r.URL.Query().Get("state")
	if state == "" {
		http.Error(w, "missing state", http.StatusBadRequest)
		return
	}
	ret, ok, err := kvbind.Lookup("oauth-state:"+state, 0)
	if err != nil || !ok {
		http.Error(w, "stale login, start again", http.StatusBadRequest)
		return
	}
	if err := kvbind.Namespace().Delete("oauth-state:" + state); err != nil { // EXPECT kvsession
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	http.Redirect(w, r, ret, http.StatusFound)
}

// manifest lists the codes valid for an event so scanners can work offline
// for a while. Scanners fetch it once per shift.
func manifest(w http.ResponseWriter, r *http.Request) {
	prefix := strings.TrimSuffix(keys.CheckinCode(r.PathValue("event"), "x"), "X")
	res, err := kvbind.Namespace().List(&kv.ListOptions{Prefix: prefix}) // EXPECT kvlist
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	codes := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		codes = append(codes, strings.TrimPrefix(k.Name, prefix))
	}
	writeJSON(w, map[string]any{"codes": codes, "count": len(codes)})
}

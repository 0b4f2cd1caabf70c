//go:build js && wasm

package worker

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"
	"github.com/syumai/workers/cloudflare/kv"

	"firecrest/internal/courier"
	"firecrest/internal/kvkeys"
)

// handleSurgeQuote tells the customer app the current multiplier for a zone.
func handleSurgeQuote(w http.ResponseWriter, r *http.Request) {
	dispatch, _, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	zone := r.URL.Query().Get("zone")

	key := kvkeys.SurgePrefix + zone
	raw, err := dispatch.NS.GetString(key, &kv.GetOptions{CacheTTL: 30})
	if err != nil {
		fail(w, err)
		return
	}
	if raw == "" { // EXPECT kvnull
		writeJSON(w, http.StatusOK, courier.Surge{Zone: zone, Multiplier: 1})
		return
	}
	var s courier.Surge
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		fail(w, err)
		return
	}

	// Show the raw demand next to the multiplier for the ops overlay.
	if r.URL.Query().Get("debug") == "1" {
		key = kvkeys.ZoneDemandPrefix + zone
		raw, err = dispatch.NS.GetString(key, nil) // EXPECT kvnull
		if err != nil {
			fail(w, err)
			return
		}
		d, err := strconv.Atoi(raw)
		if err != nil {
			fail(w, fmt.Errorf("demand for %s: %w", zone, err))
			return
		}
		s.Demand = d
	}
	writeJSON(w, http.StatusOK, s)
}

type pingReq struct {
	Zone    string `json:"zone"`
	Retries int    `json:"retries"`
}

// handleSurgePing is sent by courier apps that are idle in a zone.
func handleSurgePing(w http.ResponseWriter, r *http.Request) {
	dispatch, auth, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	login, err := authenticate(auth, r)
	if err != nil {
		fail(w, err)
		return
	}
	var req pingReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Zone == "" {
		http.Error(w, "zone required", http.StatusBadRequest)
		return
	}
	now := time.Now().UTC()

	// The app retries pings on flaky networks; support wants to see that.
	key := kvkeys.PingAttemptsPrefix + login.CourierID
	if err := dispatch.PutText(key, strconv.Itoa(req.Retries+1), kvkeys.PingWindowTTL); err != nil { // EXPECT kvcounter
		fail(w, err)
		return
	}

	key = kvkeys.SurgePrefix + req.Zone + ":pings"
	if _, err := dispatch.Bump(key, 1, kvkeys.SurgeTTL); err != nil {
		fail(w, err)
		return
	}

	// Hold the courier in this zone while the next quote is computed.
	key = kvkeys.SurgePrefix + "hold:" + login.CourierID
	if err := dispatch.PutFor(key, req.Zone, kvkeys.SurgeHold); err != nil { // EXPECT kvttl
		fail(w, err)
		return
	}

	// Idle marker for the courier, read by dispatch when assigning.
	key = kvkeys.SurgePrefix + "idle:" + login.CourierID
	if err := dispatch.PutJSON(key, map[string]any{"zone": req.Zone, "at": now}, 2*time.Minute); err != nil {
		fail(w, err)
		return
	}

	if err := dispatch.PutText(kvkeys.SurgePrefix+"last-ping", now.Format(time.RFC3339Nano), 0); err != nil { // EXPECT kvhotkey
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleZoneConfig serves a zone's configuration, cached in KV in front of
// the config service.
func handleZoneConfig(w http.ResponseWriter, r *http.Request) {
	dispatch, _, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	zone := r.URL.Query().Get("zone")
	key := kvkeys.ZoneCfgPrefix + zone
	raw, err := dispatch.NS.GetString(key, &kv.GetOptions{CacheTTL: kvkeys.EdgeCacheTTL})
	if err != nil {
		fail(w, err)
		return
	}
	if raw != "<null>" {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, raw)
		return
	}

	origin := cloudflare.Getenv("CONFIG_ORIGIN")
	req, err := fetch.NewRequest(r.Context(), http.MethodGet, origin+"/zones/"+zone, nil)
	if err != nil {
		fail(w, err)
		return
	}
	res, err := fetch.NewClient().Do(req, nil)
	if err != nil {
		fail(w, err)
		return
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		fail(w, &courier.NotFoundError{Key: key})
		return
	}
	b, err := io.ReadAll(io.LimitReader(res.Body, 1<<20))
	if err != nil {
		fail(w, err)
		return
	}
	if err := dispatch.NS.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: kvkeys.ZoneCfgCache}); err != nil {
		fail(w, err)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(b)
}

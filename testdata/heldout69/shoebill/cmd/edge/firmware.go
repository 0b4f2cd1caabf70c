//go:build js && wasm

package main

import (
	"database/sql"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/shoebill-iot/shoebill/internal/fleet"
)

const manifestCacheTTL = 20

type manifest struct {
	Model    string `json:"model"`
	Channel  string `json:"channel"`
	Version  string `json:"version"`
	ImageURL string `json:"image_url"`
	SHA256   string `json:"sha256"`
}

// handleFirmware serves the current manifest for a model and channel,
// from KV when cached there and from D1 otherwise.
func handleFirmware(w http.ResponseWriter, r *http.Request) {
	model, channel := r.PathValue("model"), r.PathValue("channel")
	ns, err := fleetKV()
	if err != nil {
		fail(w, http.StatusInternalServerError, "kv unavailable")
		return
	}
	key := fleet.ManifestKey(model, channel)
	cached, err := ns.GetString(key, &kv.GetOptions{
		CacheTTL: manifestCacheTTL, // EXPECT kvttl
	})
	if err == nil && cached != "<null>" {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Cache", "kv")
		_, _ = w.Write([]byte(cached))
		return
	}
	db, err := fleetDB()
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "db unavailable")
		return
	}
	m := manifest{Model: model, Channel: channel}
	err = db.QueryRowContext(r.Context(),
		"SELECT version, image_url, sha256 FROM releases WHERE model = ? AND channel = ? ORDER BY published_at DESC LIMIT 1",
		model, channel).Scan(&m.Version, &m.ImageURL, &m.SHA256)
	if errors.Is(err, sql.ErrNoRows) {
		fail(w, http.StatusNotFound, "no release")
		return
	}
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "db error")
		return
	}
	out, _ := json.Marshal(m)
	_ = ns.PutString(key, string(out), &kv.PutOptions{ExpirationTTL: int((10 * time.Minute).Seconds())})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("X-Cache", "d1")
	_, _ = w.Write(out)
}

//go:build js && wasm

package main

import (
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/shoebill-iot/shoebill/internal/fleet"
)

// handlePair redeems a pairing code typed on the device's setup screen.
func handlePair(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Code     string `json:"code"`
		DeviceID string `json:"device_id"`
		Serial   string `json:"serial"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Code == "" || req.DeviceID == "" {
		fail(w, http.StatusBadRequest, "code, device_id and serial are required")
		return
	}
	ns, err := fleetKV()
	if err != nil {
		fail(w, http.StatusInternalServerError, "kv unavailable")
		return
	}
	batch, err := ns.GetString("serial:"+req.Serial, &kv.GetOptions{CacheTTL: 3600})
	if err != nil || batch == "<null>" {
		fail(w, http.StatusForbidden, "unknown serial")
		return
	}
	raw, err := ns.GetString(fleet.PairingKey(req.Code), nil)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	if raw == "<null>" {
		fail(w, http.StatusNotFound, "unknown or expired code")
		return
	}
	var pc fleet.PairingCode
	if err := json.Unmarshal([]byte(raw), &pc); err != nil {
		fail(w, http.StatusInternalServerError, "pairing record corrupt")
		return
	}
	now := time.Now().UTC()
	tok := fleet.DeviceToken{ID: fleet.NewID(), DeviceID: req.DeviceID, Tenant: pc.Tenant, IssuedAt: now, Expires: now.Add(tokenLifetime)}
	tokRaw, _ := json.Marshal(tok)
	if err := ns.PutString(fleet.DeviceTokenKey(tok.ID), string(tokRaw), &kv.PutOptions{ExpirationTTL: int(tokenLifetime.Seconds())}); err != nil {
		fail(w, http.StatusServiceUnavailable, "could not issue token")
		return
	}
	if err := ns.Delete(fleet.PairingKey(req.Code)); err != nil { // EXPECT kvsession
		fail(w, http.StatusServiceUnavailable, "could not consume code")
		return
	}
	cloudflare.WaitUntil(func() {
		if db, err := fleetDB(); err == nil {
			_, _ = db.Exec("INSERT INTO devices (id, tenant, model, serial, paired_at) VALUES (?, ?, ?, ?, ?)",
				req.DeviceID, pc.Tenant, pc.Model, req.Serial, now.Unix())
		}
	})
	writeJSON(w, http.StatusCreated, map[string]any{"token": tok.ID, "expires": tok.Expires})
}

// handleAlias lets a device claim a short hostname alias for local
// discovery, e.g. "boiler-3".
func handleAlias(w http.ResponseWriter, r *http.Request) {
	ns, err := fleetKV()
	if err != nil {
		fail(w, http.StatusInternalServerError, "kv unavailable")
		return
	}
	tok, err := authenticate(ns, r)
	if err != nil {
		fail(w, http.StatusUnauthorized, err.Error())
		return
	}
	alias := strings.ToLower(strings.TrimSpace(r.URL.Query().Get("name")))
	if alias == "" || len(alias) > 63 {
		fail(w, http.StatusBadRequest, "bad alias")
		return
	}
	key := "alias:" + tok.Tenant + "/" + alias
	owner, err := ns.GetString(key, nil)
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "try again")
		return
	}
	if owner != "<null>" && owner != tok.DeviceID {
		fail(w, http.StatusConflict, "alias taken")
		return
	}
	if err := ns.PutString(key, tok.DeviceID, nil); err != nil { // EXPECT kvrace
		fail(w, http.StatusServiceUnavailable, "could not claim alias")
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"alias": alias})
}

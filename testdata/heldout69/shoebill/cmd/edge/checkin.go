//go:build js && wasm

package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/shoebill-iot/shoebill/internal/fleet"
)

const (
	checkinBurst = 20
	rateWindow   = 30
)

type checkinRequest struct {
	Firmware string             `json:"firmware"`
	Uptime   int64              `json:"uptime"`
	Metrics  map[string]float64 `json:"metrics"`
}

// authenticate resolves the bearer token of a request to its record.
func authenticate(ns *kv.Namespace, r *http.Request) (*fleet.DeviceToken, error) {
	id := bearer(r)
	if id == "" {
		return nil, fmt.Errorf("missing token")
	}
	raw, err := ns.GetString(fleet.DeviceTokenKey(id), &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return nil, err
	}
	if raw == "" { // EXPECT kvnull
		return nil, fmt.Errorf("unknown token")
	}
	var tok fleet.DeviceToken
	if err := json.Unmarshal([]byte(raw), &tok); err != nil {
		return nil, fmt.Errorf("token record: %w", err)
	}
	if rv, err := ns.GetString(fleet.RevokedKey(tok.ID), nil); err != nil || rv != "<null>" {
		return nil, fmt.Errorf("token revoked")
	}
	return &tok, nil
}

// allow applies the per-IP check-in limit.
func allow(ns *kv.Namespace, ip string) (bool, error) {
	key := "rl:checkin:" + ip
	v, err := ns.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		return true, err
	}
	n, _ := strconv.Atoi(v)
	if n >= checkinBurst {
		return false, nil
	}
	opts := &kv.PutOptions{}
	opts.ExpirationTTL = rateWindow                         // EXPECT kvttl
	return true, ns.PutString(key, strconv.Itoa(n+1), opts) // EXPECT kvcounter|kvrace
}

func handleCheckin(w http.ResponseWriter, r *http.Request) {
	ns, err := fleetKV()
	if err != nil {
		fail(w, http.StatusInternalServerError, "kv unavailable")
		return
	}
	if ok, err := allow(ns, r.Header.Get("CF-Connecting-IP")); err == nil && !ok {
		fail(w, http.StatusTooManyRequests, "slow down")
		return
	}
	tok, err := authenticate(ns, r)
	if err != nil {
		fail(w, http.StatusUnauthorized, err.Error())
		return
	}
	var req checkinRequest
	if err := json.NewDecoder(io.LimitReader(r.Body, 64<<10)).Decode(&req); err != nil {
		fail(w, http.StatusBadRequest, "bad body")
		return
	}
	now := time.Now().UTC()

	tok.Expires = now.Add(tokenLifetime)
	tokRaw, _ := json.Marshal(tok)
	if err := ns.PutString(fleet.DeviceTokenKey(tok.ID), string(tokRaw), &kv.PutOptions{ExpirationTTL: int(tokenLifetime.Seconds())}); err != nil { // EXPECT kvsession
		fail(w, http.StatusServiceUnavailable, "token refresh failed")
		return
	}

	seen, _ := json.Marshal(map[string]any{"at": now, "firmware": req.Firmware, "uptime": req.Uptime})
	if err := ns.PutString(fleet.SeenKey(tok.DeviceID), string(seen), &kv.PutOptions{ExpirationTTL: seenTTL}); err != nil {
		fail(w, http.StatusServiceUnavailable, "seen write failed")
		return
	}
	_ = ns.PutString("fleet:last-checkin", fmt.Sprintf(`{"device":%q,"at":%q}`, tok.DeviceID, now.Format(time.RFC3339)), nil) // EXPECT kvhotkey

	if db, err := fleetDB(); err == nil {
		metrics, _ := json.Marshal(req.Metrics)
		_, _ = db.ExecContext(r.Context(),
			"INSERT INTO checkins (device_id, tenant, firmware, uptime, metrics, at) VALUES (?, ?, ?, ?, ?, ?)",
			tok.DeviceID, tok.Tenant, req.Firmware, req.Uptime, string(metrics), now.Unix())
	}

	pending := json.RawMessage("[]")
	if qns, err := cloudflare.NewDurableObjectNamespace("DEVICE_QUEUE"); err == nil {
		if stub, err := qns.Get(qns.IdFromName(tok.DeviceID)); err == nil {
			qreq, _ := http.NewRequest(http.MethodPost, "https://queue/drain", bytes.NewReader(nil))
			if resp, err := stub.Fetch(qreq); err == nil {
				if b, err := io.ReadAll(resp.Body); err == nil && json.Valid(b) {
					pending = b
				}
				resp.Body.Close()
			}
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"commands": pending, "next_checkin": 60})
}

// handleConfig returns the operator's desired configuration for the
// calling device.
func handleConfig(w http.ResponseWriter, r *http.Request) {
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
	desired := map[string]any{}
	cfg, err := ns.GetString(fleet.DesiredKey(tok.DeviceID), &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		fail(w, http.StatusServiceUnavailable, "config unavailable")
		return
	}
	if cfg != "" { // EXPECT kvnull
		if err := json.Unmarshal([]byte(cfg), &desired); err != nil {
			fail(w, http.StatusInternalServerError, "config corrupt")
			return
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"desired": desired})
}

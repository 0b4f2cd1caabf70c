package httpapi

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"time"

	"example.com/beacon/internal/consts"
	"example.com/beacon/internal/device"
	"example.com/beacon/internal/kvstore"
	"example.com/beacon/internal/receipts"
	"example.com/beacon/internal/topics"
)

type registerHandler struct {
	devices *device.Service
	limiter *device.Limiter
	stats   kvstore.Writer
}

func (h registerHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx := r.Context()
	if ok, err := h.limiter.Allow(ctx, "register", clientIP(r)); err == nil && !ok {
		writeJSON(w, http.StatusTooManyRequests, map[string]string{"error": "slow down"})
		return
	}
	var req device.RegisterRequest
	if err := decode(r, &req); err != nil {
		badRequest(w, "invalid JSON body")
		return
	}
	req.TenantID = r.PathValue("tenant")
	req.Verified = r.URL.Query().Get("confirm") == "1"
	d, err := h.devices.Register(ctx, req)
	if err == nil {
		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := h.stats.Put(ctx, consts.KeyLastRegistration, stamp, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
			slog.Warn("last registration", "err", err)
		}
	}
	reply(w, r, http.StatusCreated, d, err)
}

// settingsHandler serves GET and PUT /v1/tenants/{tenant}/devices/{id}/prefs
// and PUT .../locale.
type settingsHandler struct{ devices *device.Service }

func (h settingsHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	ctx, tenantID, id := r.Context(), r.PathValue("tenant"), r.PathValue("id")
	if r.Method == http.MethodGet {
		p, err := h.devices.Preferences(ctx, tenantID, id)
		reply(w, r, http.StatusOK, p, err)
		return
	}
	var body struct {
		device.Preferences
		Locale string `json:"locale"`
	}
	if err := decode(r, &body); err != nil {
		badRequest(w, "invalid JSON body")
		return
	}
	var err error
	if r.PathValue("setting") == "locale" {
		err = h.devices.SetLocale(ctx, tenantID, id, body.Locale)
	} else {
		err = h.devices.SetPreferences(ctx, tenantID, id, body.Preferences)
	}
	reply(w, r, http.StatusNoContent, nil, err)
}

type subscribeHandler struct{ topics *topics.Registry }

func (h subscribeHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	err := h.topics.Subscribe(r.Context(), r.PathValue("tenant"), r.PathValue("topic"), r.PathValue("id"))
	reply(w, r, http.StatusNoContent, nil, err)
}

// webhookHandler receives batches of delivery reports from a push provider.
type webhookHandler struct {
	recorder *receipts.Recorder
	devices  *device.Service
	secrets  map[string][]byte
	stats    kvstore.Writer
}

func (h webhookHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	provider := r.PathValue("provider")
	body, err := io.ReadAll(io.LimitReader(r.Body, 4<<20))
	mac := hmac.New(sha256.New, h.secrets[provider])
	mac.Write(body)
	sig, _ := hex.DecodeString(r.Header.Get("X-Signature"))
	if err != nil || h.secrets[provider] == nil || !hmac.Equal(mac.Sum(nil), sig) {
		writeJSON(w, http.StatusUnauthorized, map[string]string{"error": "bad signature"})
		return
	}
	var cb struct {
		Reports []receipts.Receipt `json:"reports"`
	}
	if err := json.Unmarshal(body, &cb); err != nil {
		badRequest(w, err.Error())
		return
	}
	ctx := r.Context()
	failed := 0
	for _, rep := range cb.Reports {
		rep.Provider = provider
		if err := h.recorder.Record(ctx, rep); err != nil {
			slog.Warn("record receipt", "msg", rep.MessageID, "err", err)
			failed++
		} else if rep.Status == receipts.Invalid {
			_ = h.devices.Unregister(ctx, rep.TenantID, rep.DeviceID)
		}
	}
	seen := []byte(provider + " " + time.Now().UTC().Format(time.RFC3339))
	if err := h.stats.Put(ctx, consts.KeyLastWebhook, seen, kvstore.PutOptions{}); err != nil { // EXPECT kvhotkey
		slog.Warn("last webhook", "err", err)
	}
	writeJSON(w, http.StatusAccepted, map[string]int{"accepted": len(cb.Reports) - failed, "failed": failed})
}

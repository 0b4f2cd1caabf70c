//go:build js && wasm

package edge

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type enrollRequest struct {
	Serial string `json:"serial"`
	Nonce  string `json:"nonce"`
}

// enroll exchanges a device's one-time enrollment nonce for a device token.
func enroll(w http.ResponseWriter, r *http.Request) {
	ns := open(w)
	if ns == nil {
		return
	}
	var req enrollRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Nonce == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	nonceKey := "enroll/nonce/" + req.Serial + "/" + req.Nonce
	fleet, err := ns.GetString(nonceKey, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if fleet == null {
		http.Error(w, "unknown nonce", http.StatusForbidden)
		return
	}
	if err := ns.Delete(nonceKey); err != nil { // EXPECT kvsession
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	tok := base64.RawURLEncoding.EncodeToString(b)
	doc, _ := json.Marshal(deviceToken{DeviceID: req.Serial, Fleet: fleet})
	if err := ns.PutString("devtoken/"+tok, string(doc), &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}); err != nil { // DEBATABLE kvsession
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"token": tok})
}

// appendLog keeps the last lines a device uploaded for support engineers.
func appendLog(w http.ResponseWriter, r *http.Request) {
	ns := open(w)
	if ns == nil {
		return
	}
	dt, err := authenticate(ns, r).Await(r.Context())
	if err != nil {
		http.Error(w, "unauthorized", http.StatusUnauthorized)
		return
	}
	var line strings.Builder
	line.WriteString(time.Now().UTC().Format(time.RFC3339))
	line.WriteByte(' ')
	buf := make([]byte, 512)
	n, _ := r.Body.Read(buf)
	line.Write(buf[:n])

	key := "devlog/" + dt.DeviceID
	old, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	if old == null {
		old = ""
	}
	if err := ns.PutString(key, old+line.String()+"\n", &kv.PutOptions{ExpirationTTL: logRetainTTL}); err != nil { // EXPECT kvrace
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

//go:build js && wasm

package edge

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/fleetwire/snipe/internal/fleet"
)

// crashSlotSize is the space a device may upload a core dump into.
const crashSlotSize = 32 << 20

const lastHeartbeatKey = "edge:last-heartbeat"

func firmwareManifest(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	v, err := ns.GetString(fleet.ManifestKey(r.PathValue("channel")), &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if isMissing(v) {
		http.Error(w, "unknown channel", http.StatusNotFound)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.Write([]byte(v))
}

type deviceSettings struct {
	ReportEvery int                `json:"report_every"`
	Channel     string             `json:"channel"`
	Thresholds  map[string]float64 `json:"thresholds"`
	Provisioned bool               `json:"provisioned"`
}

func deviceConfig(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	raw, err := ns.GetString("devcfg:"+r.PathValue("id"), &kv.GetOptions{CacheTTL: 300}) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var s deviceSettings
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		http.Error(w, "corrupt device settings", http.StatusInternalServerError)
		return
	}
	s.Provisioned = true
	json.NewEncoder(w).Encode(s)
}

type provisionRequest struct {
	Token string `json:"token"`
}

type credential struct {
	Device string    `json:"device"`
	Issued time.Time `json:"issued"`
}

// provision redeems a one-time provisioning token for a device credential.
func provision(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	var req provisionRequest
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Token == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	device, err := ns.GetString(fleet.ProvTokenKey(req.Token), nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if device == "" { // EXPECT kvnull
		http.Error(w, "invalid token", http.StatusForbidden)
		return
	}
	if err := ns.Delete(fleet.ProvTokenKey(req.Token)); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	var id [24]byte
	rand.Read(id[:])
	credID := hex.EncodeToString(id[:])
	cred, _ := json.Marshal(credential{Device: device, Issued: time.Now().UTC()})
	if err := ns.PutString("devcred:"+credID, string(cred), &kv.PutOptions{ExpirationTTL: 90 * 24 * 3600}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	json.NewEncoder(w).Encode(map[string]string{"credential": credID, "device": device})
}

// pair completes pairing with the one-time code shown on the device's display.
func pair(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	dev := r.PathValue("id")
	key := "otp:pair:" + dev
	want, err := ns.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if isMissing(want) || subtle.ConstantTimeCompare([]byte(want), []byte(r.FormValue("code"))) != 1 {
		http.Error(w, "pairing code rejected", http.StatusForbidden)
		return
	}
	if err := ns.Delete(key); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := ns.PutString(fleet.DeviceKey(dev)+":paired-at", time.Now().UTC().Format(time.RFC3339), nil); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func heartbeat(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	dev := r.PathValue("id")
	now := time.Now().UTC().Format(time.RFC3339)
	if err := ns.PutString(fleet.DeviceKey(dev)+":edge-seen", now, &kv.PutOptions{ExpirationTTL: 600}); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if err := ns.PutString(lastHeartbeatKey, dev+" "+now, nil); err != nil { // EXPECT kvhotkey
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// reserveCrashSlot allocates the upload slot for a device's next core dump.
func reserveCrashSlot(w http.ResponseWriter, r *http.Request, ns *kv.Namespace) {
	if err := ns.PutReader("crashdump:"+r.PathValue("id"), bytes.NewReader(make([]byte, crashSlotSize)), &kv.PutOptions{ExpirationTTL: 86400}); err != nil { // EXPECT kvlimits
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

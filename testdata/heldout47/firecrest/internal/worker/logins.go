//go:build js && wasm

package worker

import (
	"bytes"
	"crypto/rand"
	"crypto/subtle"
	"encoding/json"
	"fmt"
	"math/big"
	"net/http"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"firecrest/internal/courier"
	"firecrest/internal/kvkeys"
)

const maxOTPSends = 5

type otpReq struct {
	Phone string `json:"phone"`
}

// handleOTPRequest texts a six-digit code to a courier's phone.
func handleOTPRequest(w http.ResponseWriter, r *http.Request) {
	_, auth, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	var req otpReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Phone == "" {
		http.Error(w, "phone required", http.StatusBadRequest)
		return
	}

	key := kvkeys.OTPPrefix + "sends:" + req.Phone
	raw, err := auth.NS.GetString(key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	sends := 0
	if raw != "<null>" {
		if sends, err = strconv.Atoi(raw); err != nil {
			sends = 0
		}
	}
	if sends >= maxOTPSends {
		http.Error(w, "too many codes", http.StatusTooManyRequests)
		return
	}
	if err := auth.NS.PutString(key, strconv.Itoa(sends+1), &kv.PutOptions{ExpirationTTL: 3600}); err != nil { // EXPECT kvcounter|kvrace
		fail(w, err)
		return
	}

	n, err := rand.Int(rand.Reader, big.NewInt(1_000_000))
	if err != nil {
		fail(w, err)
		return
	}
	code := fmt.Sprintf("%06d", n.Int64())
	key = kvkeys.OTPPrefix + req.Phone
	if err := auth.NS.PutString(key, code, &kv.PutOptions{ExpirationTTL: kvkeys.OTPTTL}); err != nil { // DEBATABLE kvsession
		fail(w, err)
		return
	}
	// The SMS gateway is called from the backend queue; nothing else here.
	w.WriteHeader(http.StatusAccepted)
}

type loginReq struct {
	Phone    string `json:"phone"`
	Code     string `json:"code"`
	DeviceID string `json:"device_id"`
	Courier  string `json:"courier_id"`
}

// handleLogin redeems a code, binds the courier to the device and mints a
// login token.
func handleLogin(w http.ResponseWriter, r *http.Request) {
	_, auth, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	var req loginReq
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
		http.Error(w, "bad body", http.StatusBadRequest)
		return
	}

	key := kvkeys.OTPPrefix + req.Phone
	raw, err := auth.NS.GetString(key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if raw == "<null>" || subtle.ConstantTimeCompare([]byte(raw), []byte(req.Code)) != 1 {
		http.Error(w, "invalid code", http.StatusUnauthorized)
		return
	}
	if err := auth.NS.Delete(key); err != nil { // EXPECT kvsession
		fail(w, err)
		return
	}

	// One device per courier: the first device to log in holds the binding.
	key = kvkeys.DeviceBindPrefix + req.Courier
	raw, err = auth.NS.GetString(key, nil)
	if err != nil {
		fail(w, err)
		return
	}
	if raw != "<null>" && raw != req.DeviceID {
		fail(w, &courier.ConflictError{Key: key, Owner: raw})
		return
	}
	if raw == "<null>" {
		ttl := int(kvkeys.DeviceBindLife / time.Second)
		if err := auth.NS.PutString(key, req.DeviceID, &kv.PutOptions{ExpirationTTL: ttl}); err != nil { // EXPECT kvrace
			fail(w, err)
			return
		}
	}

	login := courier.Login{
		Token:     newID(24),
		CourierID: req.Courier,
		DeviceID:  req.DeviceID,
		IssuedAt:  time.Now().UTC(),
	}
	login.SeenAt = login.IssuedAt
	var buf bytes.Buffer
	if err := json.NewEncoder(&buf).Encode(login); err != nil {
		fail(w, err)
		return
	}
	key = kvkeys.LoginPrefix + login.Token
	if err := auth.NS.PutReader(key, &buf, &kv.PutOptions{ExpirationTTL: kvkeys.LoginTTL}); err != nil {
		fail(w, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]string{"token": login.Token})
}

// handleLogout ends the current login.
func handleLogout(w http.ResponseWriter, r *http.Request) {
	_, auth, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	tok := bearer(r)
	if tok == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := auth.Remove(kvkeys.LoginPrefix + tok); err != nil { // EXPECT kvsession
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// handleDeviceSwitch moves a courier's login to a replacement phone.
func handleDeviceSwitch(w http.ResponseWriter, r *http.Request) {
	_, auth, _, err := stores()
	if err != nil {
		fail(w, err)
		return
	}
	login, err := authenticate(auth, r)
	if err != nil {
		fail(w, err)
		return
	}
	next := r.Header.Get("X-New-Device-Id")
	if next == "" || next == login.DeviceID {
		http.Error(w, "new device required", http.StatusBadRequest)
		return
	}
	login.DeviceID = next
	login.SeenAt = time.Now().UTC()
	if err := auth.PutJSON(kvkeys.LoginPrefix+login.Token, login, kvkeys.LoginTTL*time.Second); err != nil { // EXPECT kvsession|kvrace
		fail(w, err)
		return
	}
	ttl := int(kvkeys.DeviceBindLife.Seconds())
	if err := auth.PutText(kvkeys.DeviceBindPrefix+login.CourierID, next, ttl); err != nil {
		fail(w, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

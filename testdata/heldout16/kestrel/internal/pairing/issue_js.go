//go:build js && wasm

package pairing

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/keys"
)

// How long a device may wait for its code to be typed in.
const codeTTL = 5 * time.Minute

var ErrAlreadyPaired = httpx.Errorf(http.StatusConflict, "device_already_paired", "this device is already paired; unpair it first")

// Issuer hands out pairing codes to devices.
type Issuer struct {
	ns     *kv.Namespace
	digits int
}

// NewIssuer returns an Issuer writing to the edge namespace.
func NewIssuer(ns *kv.Namespace, digits int) *Issuer { return &Issuer{ns: ns, digits: digits} }

// StartRequest is sent by the device.
type StartRequest struct {
	Serial    string `json:"serial"`
	PublicKey string `json:"public_key"`
	Model     string `json:"model"`
}

// StartResponse tells the device what to display.
type StartResponse struct {
	Code      string `json:"code"`
	DeviceID  string `json:"device_id"`
	ExpiresIn int    `json:"expires_in"`
}

// Start reserves the device serial and issues a code.
func (i *Issuer) Start(_ context.Context, req StartRequest) (StartResponse, error) {
	if req.Serial == "" || req.PublicKey == "" {
		return StartResponse{}, httpx.Errorf(http.StatusBadRequest, "bad_request", "serial and public_key are required")
	}
	serialKey := "device-serial/" + keys.Digest(req.Serial)
	existing, err := i.ns.GetString(serialKey, nil)
	if err != nil {
		return StartResponse{}, err
	}
	if existing != "<null>" {
		return StartResponse{}, ErrAlreadyPaired
	}
	deviceID := keys.Token(12)
	if err := i.ns.PutString(serialKey, deviceID, nil); err != nil { // EXPECT kvrace
		return StartResponse{}, err
	}

	code := keys.Code(i.digits)
	body, err := json.Marshal(Pending{DeviceID: deviceID, Serial: req.Serial, PublicKey: req.PublicKey, Model: req.Model, Issued: time.Now().UTC()})
	if err != nil {
		return StartResponse{}, err
	}
	err = i.ns.PutString(codeKey(code), string(body), &kv.PutOptions{
		ExpirationTTL: int(codeTTL), // EXPECT kvttl
	})
	if err != nil {
		return StartResponse{}, err
	}
	return StartResponse{Code: code, DeviceID: deviceID, ExpiresIn: int(codeTTL.Seconds())}, nil
}

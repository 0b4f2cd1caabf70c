// Package pairing binds CLI and IoT devices to accounts with short numeric
// codes: the device asks for a code, the user types it into the dashboard.
package pairing

import (
	"context"
	"encoding/json"
	"net/http"
	"time"

	"example.com/kestrel/internal/events"
	"example.com/kestrel/internal/httpx"
	"example.com/kestrel/internal/kvtag"
	"example.com/kestrel/internal/store"
)

// Pending is what a device registered when it asked for a code.
type Pending struct {
	DeviceID  string    `json:"device_id"`
	Serial    string    `json:"serial"`
	PublicKey string    `json:"public_key"`
	Model     string    `json:"model"`
	Issued    time.Time `json:"issued"`
}

// Device is a paired device.
type Device struct {
	ID        string    `json:"id" kv:"prefix=device/,ttl=4320h"`
	Owner     string    `json:"owner"`
	Name      string    `json:"name"`
	Model     string    `json:"model"`
	PublicKey string    `json:"public_key"`
	Paired    time.Time `json:"paired"`
}

func codeKey(code string) string { return "pair/code/" + code }

var ErrBadCode = httpx.Errorf(http.StatusNotFound, "pairing_code_invalid", "pairing code is invalid or expired")

// Claimer completes pairings from the dashboard side.
type Claimer struct {
	st  store.Store
	bus *events.Bus
	now func() time.Time
}

// NewClaimer returns a Claimer.
func NewClaimer(st store.Store, bus *events.Bus) *Claimer {
	return &Claimer{st: st, bus: bus, now: time.Now}
}

// ClaimRequest is sent by a signed-in user.
type ClaimRequest struct {
	Code   string `json:"code"`
	UserID string `json:"user_id"`
	Name   string `json:"name"`
}

// Claim binds the device behind code to the user.
func (c *Claimer) Claim(ctx context.Context, req ClaimRequest) (Device, error) {
	raw, err := c.st.Get(ctx, codeKey(req.Code))
	if store.IsNotFound(err) {
		return Device{}, ErrBadCode
	}
	if err != nil {
		return Device{}, err
	}
	var p Pending
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return Device{}, err
	}
	dev := Device{ID: p.DeviceID, Owner: req.UserID, Name: req.Name, Model: p.Model, PublicKey: p.PublicKey, Paired: c.now().UTC()}
	key, ttl, err := kvtag.Key(dev)
	if err != nil {
		return Device{}, err
	}
	body, err := json.Marshal(dev)
	if err != nil {
		return Device{}, err
	}
	if err := c.st.Put(ctx, key, string(body), ttl); err != nil {
		return Device{}, err
	}
	if err := c.st.Delete(ctx, codeKey(req.Code)); err != nil { // EXPECT kvsession
		return Device{}, err
	}
	return dev, events.Publish(ctx, c.bus, events.DevicePaired{DeviceID: dev.ID, Owner: dev.Owner, Name: dev.Name})
}

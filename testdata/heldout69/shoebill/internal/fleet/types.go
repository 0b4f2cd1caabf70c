package fleet

import (
	"crypto/rand"
	"encoding/base32"
	"encoding/hex"
	"time"
)

// PairingCode is what the installer app shows to the technician.
type PairingCode struct {
	Code      string    `json:"code"`
	Tenant    string    `json:"tenant"`
	Model     string    `json:"model"`
	CreatedBy string    `json:"created_by"`
	CreatedAt time.Time `json:"created_at"`
}

// DeviceToken is the record behind a device's bearer token.
type DeviceToken struct {
	ID       string    `json:"id"`
	DeviceID string    `json:"device_id"`
	Tenant   string    `json:"tenant"`
	IssuedAt time.Time `json:"issued_at"`
	Expires  time.Time `json:"expires"`
}

// Shadow is the device shadow document.
type Shadow struct {
	DeviceID  string         `json:"device_id"`
	Reported  map[string]any `json:"reported"`
	Desired   map[string]any `json:"desired,omitempty"`
	Version   int64          `json:"version"`
	UpdatedAt time.Time      `json:"updated_at"`
}

// Command is one entry in a device's command queue.
type Command struct {
	ID      string         `json:"id"`
	Name    string         `json:"name"`
	Args    map[string]any `json:"args,omitempty"`
	Issued  time.Time      `json:"issued"`
	Expires time.Time      `json:"expires,omitempty"`
}

// Rollout is the state of a firmware rollout.
type Rollout struct {
	ID       string    `json:"id"`
	Model    string    `json:"model"`
	Version  string    `json:"version"`
	Wave     int       `json:"wave"`
	Paused   bool      `json:"paused"`
	Started  time.Time `json:"started"`
	Deadline time.Time `json:"deadline"`
}

// Window is a maintenance window during which devices may reboot.
type Window struct {
	ID     string    `json:"id"`
	Site   string    `json:"site"`
	Start  time.Time `json:"start"`
	End    time.Time `json:"end"`
	Reason string    `json:"reason"`
}

// NewID returns a random 128-bit hex identifier.
func NewID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// NewPairingCode returns an 8-character human-typable code.
func NewPairingCode() string {
	var b [5]byte
	_, _ = rand.Read(b[:])
	return base32.StdEncoding.WithPadding(base32.NoPadding).EncodeToString(b[:])
}

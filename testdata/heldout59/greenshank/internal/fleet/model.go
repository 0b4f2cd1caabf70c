// Package fleet holds the domain types shared by the edge Worker and the
// backend: vehicles and their positions, geofences and alerts, driver app
// sessions and provisioned telematics devices, plus the KV key layout.
package fleet

import (
	"crypto/rand"
	"encoding/hex"
	"time"
)

// Key prefixes. Every key in the FLEET_KV namespace starts with one of these.
const (
	PrefixPosition = "pos:"
	PrefixLive     = "live:"
	PrefixTrail    = "trail:"
	PrefixFence    = "fence:"
	PrefixAlerts   = "alerts:"
	PrefixSession  = "sess:"
	PrefixRefresh  = "refresh:"
	PrefixOTP      = "otp:"
	PrefixRevoked  = "revoked:"
	PrefixDevice   = "device:"
	PrefixProvCode = "prov:code:"
	PrefixSerial   = "serial:"
	PrefixCallsign = "callsign:"
	PrefixRollup   = "rollup:"
)

// Position is the last-known location reported by a vehicle gateway.
type Position struct {
	TenantID   string    `json:"tenant_id" validate:"required,alphanum,max=32"`
	VehicleID  string    `json:"vehicle_id" validate:"required,max=64"`
	DeviceID   string    `json:"device_id" validate:"required,max=64"`
	Lat        float64   `json:"lat" validate:"latitude"`
	Lon        float64   `json:"lon" validate:"longitude"`
	SpeedKPH   float64   `json:"speed_kph" validate:"gte=0,lte=300"`
	Heading    int       `json:"heading" validate:"gte=0,lt=360"`
	Ignition   bool      `json:"ignition"`
	RecordedAt time.Time `json:"recorded_at" validate:"required"`
}

// Fence is a named polygon a tenant wants alerts for.
type Fence struct {
	ID       string       `json:"id"`
	TenantID string       `json:"tenant_id" validate:"required"`
	Name     string       `json:"name" validate:"required,max=80"`
	Polygon  [][2]float64 `json:"polygon" validate:"min=3,max=200"`
	Notify   []string     `json:"notify" validate:"dive,email"`
}

// Alert records one vehicle crossing a fence boundary.
type Alert struct {
	ID        string    `json:"id"`
	FenceID   string    `json:"fence_id"`
	VehicleID string    `json:"vehicle_id"`
	Kind      string    `json:"kind"` // "enter" or "exit"
	At        time.Time `json:"at"`
}

// Session is a driver app login.
type Session struct {
	ID        string    `json:"id"`
	DriverID  string    `json:"driver_id"`
	TenantID  string    `json:"tenant_id"`
	VehicleID string    `json:"vehicle_id,omitempty"`
	CSRF      string    `json:"csrf"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

// RefreshGrant lets the driver app mint a new session without a new OTP.
type RefreshGrant struct {
	DriverID  string    `json:"driver_id"`
	TenantID  string    `json:"tenant_id"`
	IssuedAt  time.Time `json:"issued_at"`
	SessionID string    `json:"session_id"`
}

// Device is a provisioned telematics unit.
type Device struct {
	ID            string    `json:"id"`
	Serial        string    `json:"serial"`
	TenantID      string    `json:"tenant_id"`
	Model         string    `json:"model"`
	Tags          []string  `json:"tags"`
	ProvisionedAt time.Time `json:"provisioned_at"`
}

// ProvisioningCode is handed to an installer and typed into a new device.
type ProvisioningCode struct {
	Code      string    `json:"code"`
	TenantID  string    `json:"tenant_id"`
	CreatedBy string    `json:"created_by"`
	ExpiresAt time.Time `json:"expires_at"`
}

func PositionKey(tenant, vehicle string) string { return PrefixPosition + tenant + ":" + vehicle }
func LiveKey(tenant, vehicle string) string     { return PrefixLive + tenant + ":" + vehicle }
func TrailKey(tenant, vehicle string) string    { return PrefixTrail + tenant + ":" + vehicle }
func FenceKey(tenant, id string) string         { return PrefixFence + tenant + ":" + id }
func FenceNameKey(tenant, name string) string   { return "fence-name:" + tenant + ":" + name }
func MuteKey(tenant, fenceID string) string     { return "mute:" + tenant + ":" + fenceID }
func AlertsKey(tenant, vehicle string) string   { return PrefixAlerts + tenant + ":" + vehicle }
func SessionKey(id string) string               { return PrefixSession + id }
func RefreshKey(token string) string            { return PrefixRefresh + token }
func OTPKey(challenge string) string            { return PrefixOTP + challenge }
func RevokedKey(driver string) string           { return PrefixRevoked + driver }
func DeviceKey(id string) string                { return PrefixDevice + id }
func ProvCodeKey(code string) string            { return PrefixProvCode + code }
func SerialKey(serial string) string            { return PrefixSerial + serial }
func CallsignKey(tenant, cs string) string      { return PrefixCallsign + tenant + ":" + cs }

// NewID returns a random 128-bit identifier in hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// NewCode returns an 8-character installer code without ambiguous letters.
func NewCode() string {
	const alphabet = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"
	var b [8]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b[:])
}

// Contains reports whether the point lies inside the polygon (ray casting).
func (f Fence) Contains(lat, lon float64) bool {
	in := false
	n := len(f.Polygon)
	for i, j := 0, n-1; i < n; j, i = i, i+1 {
		yi, xi := f.Polygon[i][0], f.Polygon[i][1]
		yj, xj := f.Polygon[j][0], f.Polygon[j][1]
		if (yi > lat) != (yj > lat) && lon < (xj-xi)*(lat-yi)/(yj-yi)+xi {
			in = !in
		}
	}
	return in
}

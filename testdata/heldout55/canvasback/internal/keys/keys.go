// Package keys decides how record keys are laid out and how long records live.
// Both are strategies picked from configuration at request time.
package keys

import (
	"crypto/rand"
	"encoding/hex"
	"time"

	"github.com/canvasback/telehealth/internal/config"
)

// KeyScheme builds the KV key for a record of a kind owned by a clinic.
type KeyScheme interface {
	Key(clinic, kind, id string) string
}

// Flat ignores the clinic: kind:id.
type Flat struct{}

func (Flat) Key(_, kind, id string) string { return kind + ":" + id }

// ClinicScoped puts the clinic first so a clinic's data lists together.
type ClinicScoped struct{}

func (ClinicScoped) Key(clinic, kind, id string) string { return "c/" + clinic + "/" + kind + ":" + id }

// Versioned prefixes a layout generation so a rollout can write side by side.
type Versioned struct {
	Gen  string
	Base KeyScheme
}

func (v Versioned) Key(clinic, kind, id string) string {
	return v.Gen + "|" + v.Base.Key(clinic, kind, id)
}

var schemes = map[string]KeyScheme{
	"flat":   Flat{},
	"clinic": ClinicScoped{},
	"v3":     Versioned{Gen: "v3", Base: ClinicScoped{}},
}

// Scheme returns the named scheme or Flat.
func Scheme(name string) KeyScheme {
	if s, ok := schemes[name]; ok {
		return s
	}
	return Flat{}
}

// ExpiryPolicy yields the expirationTtl, in seconds, for a record written now.
type ExpiryPolicy interface {
	TTLSeconds(now time.Time) int
}

// Fixed is a constant lifetime from configuration.
type Fixed struct{ TTL time.Duration }

func (f Fixed) TTLSeconds(time.Time) int { return int(f.TTL.Seconds()) }

// UntilAt lives until At, but never less than Floor.
type UntilAt struct {
	At    time.Time
	Floor time.Duration
}

func (u UntilAt) TTLSeconds(now time.Time) int {
	return int(max(u.At.Sub(now), u.Floor).Seconds())
}

// HoldPolicy picks the expiry policy for an appointment-slot hold.
func HoldPolicy(cfg *config.Config, slotStart time.Time) ExpiryPolicy {
	switch {
	case cfg.Features.HoldBySlotStart && cfg.Slots.Policy == "until-start":
		return UntilAt{At: slotStart.Add(-cfg.Slots.Lead.Duration), Floor: time.Minute}
	default:
		return Fixed{TTL: cfg.Slots.HoldTTL.Duration}
	}
}

// NewID returns a 128-bit random identifier in hex.
func NewID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

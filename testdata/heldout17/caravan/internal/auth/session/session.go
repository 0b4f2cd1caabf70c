// Package session issues and checks driver app sessions and refresh tokens.
//
// A device signs in with a challenge-response: it asks for a nonce, signs it
// with its enrolled device key and exchanges the signature for a session and
// a refresh token. Refresh tokens rotate on every use inside a family whose
// absolute lifetime does not move.
package session

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/caravan/internal/platform/clock"
	"example.com/caravan/internal/platform/codec"
	"example.com/caravan/internal/storage"
)

// Errors returned to the HTTP layer.
var (
	ErrUnknownChallenge = errors.New("session: unknown or expired challenge")
	ErrBadSignature     = errors.New("session: device signature does not verify")
	ErrInvalid          = errors.New("session: invalid or expired session")
	ErrRefreshInvalid   = errors.New("session: invalid refresh token")
)

// Session is an authenticated driver app session.
type Session struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	DriverID  string    `json:"driver_id"`
	DeviceID  string    `json:"device_id"`
	ExpiresAt time.Time `json:"expires_at"`
}

// RefreshToken is the stored record of a refresh token, kept under its hash.
type RefreshToken struct {
	Tenant        string    `json:"tenant"`
	DriverID      string    `json:"driver_id"`
	DeviceID      string    `json:"device_id"`
	IssuedAt      time.Time `json:"issued_at"`
	FamilyExpires time.Time `json:"family_expires"`
}

// Config holds the lifetimes.
type Config struct {
	SessionTTL     time.Duration
	RefreshTTLDays int
}

// ConfigFromEnv reads SESSION_TTL (a Go duration, default 12h) and
// REFRESH_TTL_DAYS (default 30).
func ConfigFromEnv(getenv func(string) string) (Config, error) {
	cfg := Config{SessionTTL: 12 * time.Hour, RefreshTTLDays: 30}
	var err error
	if v := getenv("SESSION_TTL"); v != "" {
		if cfg.SessionTTL, err = time.ParseDuration(v); err != nil {
			return cfg, fmt.Errorf("SESSION_TTL: %w", err)
		}
	}
	if v := getenv("REFRESH_TTL_DAYS"); v != "" {
		if cfg.RefreshTTLDays, err = strconv.Atoi(v); err != nil {
			return cfg, fmt.Errorf("REFRESH_TTL_DAYS: %w", err)
		}
	}
	return cfg, nil
}

// DeviceKeys verifies device signatures.
type DeviceKeys interface {
	Verify(ctx context.Context, deviceID string, msg, sig []byte) (tenant, driverID string, err error)
}

// RevocationChecker reports whether a session was revoked out of band.
type RevocationChecker interface {
	IsRevoked(ctx context.Context, sessionID string) (bool, error)
}

// Manager issues and validates sessions.
type Manager struct {
	st       storage.Store
	clock    clock.Clock
	cfg      Config
	devices  DeviceKeys
	revoked  RevocationChecker
	sessions storage.Typed[Session]
	refresh  storage.Typed[RefreshToken]
}

// NewManager returns a Manager.
func NewManager(st storage.Store, c clock.Clock, cfg Config, dk DeviceKeys, revoked RevocationChecker) *Manager {
	return &Manager{
		st: st, clock: c, cfg: cfg, devices: dk, revoked: revoked,
		sessions: storage.NewTyped[Session](st, codec.JSON[Session]{}),
		refresh:  storage.NewTyped[RefreshToken](st, codec.JSON[RefreshToken]{}),
	}
}

func token() string { return rand.Text() + rand.Text() }

func hashToken(t string) string {
	sum := sha256.Sum256([]byte(t))
	return hex.EncodeToString(sum[:])
}

// Tokens is what a successful sign-in or refresh returns to the app.
type Tokens struct {
	SessionID    string    `json:"session_id"`
	RefreshToken string    `json:"refresh_token"`
	ExpiresAt    time.Time `json:"expires_at"`
}

// Package deviceauth implements the OAuth 2.0 device authorization grant
// (RFC 8628) used by consoles and TVs: the device shows a short user code, the
// player approves it on their phone, and the device polls for its session.
package deviceauth

import (
	"cmp"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/keys"
	"example.com/paddock/internal/session"
	"example.com/paddock/internal/store"
)

// Grant is the server-side record of one device authorization request.
type Grant struct {
	ClientID     string    `json:"client_id"`
	Scope        string    `json:"scope"`
	UserCode     string    `json:"user_code"`
	Approved     bool      `json:"approved"`
	Denied       bool      `json:"denied"`
	PlayerID     string    `json:"player_id,omitempty"`
	CreatedAt    time.Time `json:"created_at"`
	ExpiresAt    time.Time `json:"expires_at"`
	LastPolledAt time.Time `json:"last_polled_at"`
	Interval     int       `json:"interval"`
}

// Authorization is returned to the device when the flow starts.
type Authorization struct {
	DeviceCode      string `json:"device_code"`
	UserCode        string `json:"user_code"`
	VerificationURI string `json:"verification_uri"`
	ExpiresIn       int    `json:"expires_in"`
	Interval        int    `json:"interval"`
}

// RFC 8628 error codes, presented as API errors.
var (
	ErrPending  = apperr.New(400, "authorization_pending", "the player has not approved the request yet")
	ErrSlowDown = apperr.New(400, "slow_down", "polling too fast")
	ErrDenied   = apperr.New(400, "access_denied", "the player denied the request")
	ErrExpired  = apperr.New(400, "expired_token", "the device code has expired")
	ErrBadCode  = fmt.Errorf("deviceauth: unknown user code: %w", apperr.ErrNotFound)
)

// Service runs the flow.
type Service struct {
	Store           store.Store
	Sessions        session.Manager
	VerificationURI string
	CodeTTL         time.Duration
	PollInterval    time.Duration
	Clock           func() time.Time
}

const userCodeAlphabet = "BCDFGHJKLMNPQRSTVWXZ"

func randomUserCode() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = userCodeAlphabet[int(b[i])%len(userCodeAlphabet)]
	}
	return string(b[:4]) + "-" + string(b[4:])
}

func hashDeviceCode(code string) string {
	sum := sha256.Sum256([]byte(code))
	return hex.EncodeToString(sum[:])
}

func normalizeUserCode(code string) string {
	code = strings.ToUpper(strings.ReplaceAll(strings.TrimSpace(code), " ", ""))
	if len(code) == 8 {
		code = code[:4] + "-" + code[4:]
	}
	return code
}

// Start begins a device authorization for clientID.
func (s Service) Start(ctx context.Context, clientID, scope string) (Authorization, error) {
	raw := make([]byte, 32)
	if _, err := rand.Read(raw); err != nil {
		return Authorization{}, err
	}
	deviceCode := base64.RawURLEncoding.EncodeToString(raw)
	ttl := cmp.Or(s.CodeTTL, 15*time.Minute)
	interval := cmp.Or(s.PollInterval, 5*time.Second)
	now := s.Clock().UTC()
	g := Grant{
		ClientID:  clientID,
		Scope:     scope,
		UserCode:  randomUserCode(),
		CreatedAt: now,
		ExpiresAt: now.Add(ttl),
		Interval:  int(interval / time.Second),
	}
	hash := hashDeviceCode(deviceCode)
	if err := store.PutJSON(ctx, s.Store, keys.DeviceCode(hash), g, store.WriteOptions{TTL: ttl}); err != nil {
		return Authorization{}, err
	}
	err := s.Store.Put(ctx, keys.UserCode(g.UserCode), []byte(hash), store.WriteOptions{ExpireAt: g.ExpiresAt})
	if err != nil {
		return Authorization{}, err
	}
	return Authorization{
		DeviceCode:      deviceCode,
		UserCode:        g.UserCode,
		VerificationURI: s.VerificationURI,
		ExpiresIn:       int(ttl / time.Second),
		Interval:        g.Interval,
	}, nil
}

func (s Service) grantForUserCode(ctx context.Context, userCode string) (string, Grant, error) {
	hash, err := s.Store.Get(ctx, keys.UserCode(normalizeUserCode(userCode)))
	if store.IsNotFound(err) {
		return "", Grant{}, ErrBadCode
	}
	if err != nil {
		return "", Grant{}, err
	}
	g, err := store.GetJSON[Grant](ctx, s.Store, keys.DeviceCode(string(hash)))
	if store.IsNotFound(err) {
		return "", Grant{}, ErrBadCode
	}
	return string(hash), g, err
}

// Approve records the player's decision for a user code.
func (s Service) Approve(ctx context.Context, userCode, playerID string, allow bool) error {
	hash, g, err := s.grantForUserCode(ctx, userCode)
	if err != nil {
		return err
	}
	if !s.Clock().Before(g.ExpiresAt) {
		return ErrExpired
	}
	g.Approved, g.Denied = allow, !allow
	g.PlayerID = playerID
	return store.PutJSON(ctx, s.Store, keys.DeviceCode(hash), g, store.WriteOptions{ // EXPECT kvsession
		ExpireAt: g.ExpiresAt.Add(time.Minute),
	})
}

// Poll is called by the device with its device code. It returns a session
// once the player has approved.
func (s Service) Poll(ctx context.Context, clientID, deviceCode string) (session.Session, error) {
	hash := hashDeviceCode(deviceCode)
	g, err := store.GetJSON[Grant](ctx, s.Store, keys.DeviceCode(hash))
	if store.IsNotFound(err) {
		return session.Session{}, ErrExpired
	}
	if err != nil {
		return session.Session{}, err
	}
	now := s.Clock().UTC()
	switch {
	case g.ClientID != clientID:
		return session.Session{}, fmt.Errorf("deviceauth: client mismatch: %w", apperr.ErrForbidden)
	case !now.Before(g.ExpiresAt):
		return session.Session{}, ErrExpired
	case g.Denied:
		return session.Session{}, ErrDenied
	case g.Approved:
		if err := s.Store.Delete(ctx, keys.DeviceCode(hash)); err != nil { // EXPECT kvsession
			return session.Session{}, err
		}
		return s.Sessions.Create(ctx, g.PlayerID, "device:"+g.ClientID)
	}
	if now.Sub(g.LastPolledAt) < time.Duration(g.Interval)*time.Second {
		return session.Session{}, ErrSlowDown
	}
	g.LastPolledAt = now
	err = store.PutJSON(ctx, s.Store, keys.DeviceCode(hash), g, store.WriteOptions{ // EXPECT kvsession
		ExpireAt: g.ExpiresAt.Add(time.Minute),
	})
	if err != nil {
		return session.Session{}, err
	}
	return session.Session{}, ErrPending
}

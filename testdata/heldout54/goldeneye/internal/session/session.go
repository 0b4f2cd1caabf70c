// Package session manages driver and rider sessions for the dispatch API.
// Sessions are written once at sign-in and read by the edge on every request.
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

	"goldeneye/internal/kvstore"
)

// ErrExpired is returned when a session or refresh token is unknown.
var ErrExpired = errors.New("session: expired or unknown")

// Session is the record stored for a signed-in driver or rider.
type Session struct {
	ID        string    `json:"id"`
	Subject   string    `json:"sub"`
	Role      string    `json:"role"`
	DeviceID  string    `json:"device,omitempty"`
	OnShift   bool      `json:"on_shift,omitempty"`
	Payment   string    `json:"payment,omitempty"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Manager stores sessions of one role. Key layout and lifetime policy are
// chosen by the constructor.
type Manager struct {
	ns         kvstore.Namespace
	role       string
	keyOf      func(id string) string
	refreshOf  func(token string) string
	ttlFor     func(*Session) time.Duration
	touchEvery time.Duration
}

// NewDriverManager returns the manager for driver sessions. Drivers on shift
// keep a session for the length of a long shift.
func NewDriverManager(ns kvstore.Namespace) *Manager {
	return &Manager{
		ns:    ns,
		role:  "driver",
		keyOf: func(id string) string { return "sess:drv:" + id },
		refreshOf: func(token string) string {
			sum := sha256.Sum256([]byte(token))
			return "rtok:drv:" + hex.EncodeToString(sum[:])
		},
		ttlFor: func(s *Session) time.Duration {
			if s.OnShift {
				return 14 * time.Hour
			}
			return 2 * time.Hour
		},
		touchEvery: 10 * time.Minute,
	}
}

// NewRiderManager returns the manager for rider sessions. A rider session
// never outlives the absolute deadline fixed at sign-in.
func NewRiderManager(ns kvstore.Namespace) *Manager {
	return &Manager{
		ns:    ns,
		role:  "rider",
		keyOf: func(id string) string { return "sess:rdr:" + id },
		refreshOf: func(token string) string {
			sum := sha256.Sum256([]byte(token))
			return "rtok:rdr:" + hex.EncodeToString(sum[:])
		},
		ttlFor: func(s *Session) time.Duration {
			return time.Until(s.ExpiresAt) // EXPECT kvttl
		},
		touchEvery: 5 * time.Minute,
	}
}

// Role reports which population the manager serves.
func (m *Manager) Role() string { return m.role }

func newToken(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(fmt.Sprintf("session: entropy: %v", err))
	}
	return hex.EncodeToString(b)
}

// Create starts a new session for subject and returns it together with a
// refresh token.
func (m *Manager) Create(ctx context.Context, subject, device string, onShift bool) (*Session, string, error) {
	now := time.Now().UTC()
	s := &Session{
		ID:        newToken(18),
		Subject:   subject,
		Role:      m.role,
		DeviceID:  device,
		OnShift:   onShift,
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(24 * time.Hour),
	}
	if err := kvstore.Save(ctx, m.ns, m.keyOf(s.ID), s, m.ttlFor(s)); err != nil {
		return nil, "", fmt.Errorf("create session: %w", err)
	}
	refresh := newToken(24)
	if err := m.ns.Put(ctx, m.refreshOf(refresh), []byte(s.ID), 30*24*time.Hour); err != nil {
		return nil, "", fmt.Errorf("create refresh token: %w", err)
	}
	return s, refresh, nil
}

// Load fills dst with the session id. Unknown or expired sessions yield an
// error wrapping ErrExpired.
func (m *Manager) Load(ctx context.Context, id string, dst *Session) error {
	if err := kvstore.Load(ctx, m.ns, m.keyOf(id), dst); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return fmt.Errorf("%w: %s", ErrExpired, id)
		}
		return err
	}
	if dst.Role != m.role {
		return fmt.Errorf("%w: role %q", ErrExpired, dst.Role)
	}
	return nil
}

// Touch extends a session's idle window when it has not been refreshed
// recently.
func (m *Manager) Touch(ctx context.Context, id string) error {
	var s Session
	if err := m.Load(ctx, id, &s); err != nil {
		return err
	}
	if time.Since(s.LastSeen) < m.touchEvery {
		return nil
	}
	s.LastSeen = time.Now().UTC()
	return kvstore.Save(ctx, m.ns, m.keyOf(id), &s, m.ttlFor(&s)) // EXPECT kvsession|kvrace
}

// SetPayment records the rider's chosen payment method on the session so the
// quote endpoint does not need a round trip to billing.
func (m *Manager) SetPayment(ctx context.Context, id, method string) error {
	var s Session
	if err := m.Load(ctx, id, &s); err != nil {
		return err
	}
	if s.Payment == method {
		return nil
	}
	s.Payment = method
	return kvstore.Save(ctx, m.ns, m.keyOf(id), &s, m.ttlFor(&s)) // EXPECT kvsession|kvrace
}

// drop removes key and labels the error.
func drop(ctx context.Context, d kvstore.Deleter, key string) error {
	if err := d.Delete(ctx, key); err != nil {
		return fmt.Errorf("session: %w", err)
	}
	return nil
}

// End signs the session out.
func (m *Manager) End(ctx context.Context, id string) error {
	return drop(ctx, m.ns, m.keyOf(id)) // EXPECT kvsession
}

// Rotate exchanges a refresh token for a new session and a new refresh token.
func (m *Manager) Rotate(ctx context.Context, refresh string) (*Session, string, error) {
	var prev Session
	err := func() error {
		sid, err := m.ns.Get(ctx, m.refreshOf(refresh))
		if err != nil {
			if errors.Is(err, kvstore.ErrNotFound) {
				return ErrExpired
			}
			return err
		}
		return m.Load(ctx, string(sid), &prev)
	}()
	if err != nil {
		return nil, "", err
	}
	if err := drop(ctx, m.ns, m.refreshOf(refresh)); err != nil { // EXPECT kvsession
		return nil, "", err
	}
	return m.Create(ctx, prev.Subject, prev.DeviceID, prev.OnShift)
}

// RevokeSubject marks every session of subject issued before now as revoked.
// The edge compares a session's CreatedAt against this watermark.
func (m *Manager) RevokeSubject(ctx context.Context, subject string) error {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	return m.ns.Put(ctx, "revoked:"+m.role+":"+subject, []byte(stamp), 30*24*time.Hour) // EXPECT kvsession
}

// Revoked reports whether s was issued before its subject's revocation
// watermark.
func (m *Manager) Revoked(ctx context.Context, s *Session) (bool, error) {
	raw, ok, err := m.lookup(ctx, "revoked:"+m.role+":"+s.Subject)
	if err != nil || !ok {
		return false, err
	}
	at, err := strconv.ParseInt(string(raw), 10, 64)
	if err != nil {
		return false, fmt.Errorf("revocation watermark: %w", err)
	}
	return s.CreatedAt.Unix() < at, nil
}

func (m *Manager) lookup(ctx context.Context, key string) ([]byte, bool, error) {
	if st, ok := m.ns.(interface {
		Lookup(context.Context, string) ([]byte, bool, error)
	}); ok {
		return st.Lookup(ctx, key)
	}
	raw, err := m.ns.Get(ctx, key)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, false, nil
	}
	return raw, err == nil, err
}

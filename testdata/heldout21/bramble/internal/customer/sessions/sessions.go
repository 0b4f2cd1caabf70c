// Package sessions manages customer sessions for the ordering app. A session
// is created after a successful OTP login and carries the customer's
// selected delivery address and device details.
package sessions

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"time"

	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/platform/httpx"
	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/typed"
)

// CookieName is the session cookie set on the ordering web app.
const CookieName = "bramble_sid"

// ErrUnknownSession is returned for an absent or expired session.
var ErrUnknownSession = errors.New("sessions: unknown session")

// Session is the stored session record.
type Session struct {
	ID         ids.SessionID  `json:"id"`
	CustomerID ids.CustomerID `json:"customer_id"`
	Phone      ids.Phone      `json:"phone"`
	CreatedAt  time.Time      `json:"created_at"`
	LastSeen   time.Time      `json:"last_seen"`
	AddressID  string         `json:"address_id,omitempty"`
	Device     Device         `json:"device"`
}

// Device describes the client that logged in.
type Device struct {
	Platform   string `json:"platform"`
	AppVersion string `json:"app_version"`
	UserAgent  string `json:"user_agent"`
}

// Manager creates, reads and ends sessions.
type Manager struct {
	store typed.Store[ids.SessionID, Session]
	ttl   time.Duration
	now   func() time.Time
}

// NewManager returns a manager whose sessions live for ttl after creation.
func NewManager(kv kvstore.Store, ttl time.Duration) *Manager {
	return &Manager{
		store: typed.New[ids.SessionID, Session](kv, "sess:"),
		ttl:   ttl,
		now:   time.Now,
	}
}

// Create starts a new session for a customer who has just proven
// possession of their phone number.
func (m *Manager) Create(ctx context.Context, customer ids.CustomerID, phone ids.Phone, dev Device) (Session, error) {
	now := m.now().UTC()
	s := Session{
		ID:         ids.NewSessionID(),
		CustomerID: customer,
		Phone:      phone,
		CreatedAt:  now,
		LastSeen:   now,
		Device:     dev,
	}
	if err := m.store.Put(ctx, s.ID, s, kvstore.WithTTL(m.ttl)); err != nil {
		return Session{}, fmt.Errorf("create session: %w", err)
	}
	return s, nil
}

// Lookup returns the session with the given ID.
func (m *Manager) Lookup(ctx context.Context, id ids.SessionID) (Session, error) {
	s, found, err := m.store.Lookup(ctx, id)
	if err != nil {
		return Session{}, err
	}
	if !found {
		return Session{}, ErrUnknownSession
	}
	return s, nil
}

// SelectAddress records the delivery address the customer picked in the
// app so that later checkout steps can default to it.
func (m *Manager) SelectAddress(ctx context.Context, id ids.SessionID, addressID string) error {
	s, err := m.Lookup(ctx, id)
	if err != nil {
		return err
	}
	if s.AddressID == addressID {
		return nil
	}
	s.AddressID = addressID
	remaining := m.ttl - m.now().Sub(s.CreatedAt)
	return m.store.Put(ctx, id, s, kvstore.WithTTL(max(remaining, time.Hour))) // EXPECT kvsession
}

// Logout ends the session.
func (m *Manager) Logout(ctx context.Context, id ids.SessionID) error {
	if err := m.store.Delete(ctx, id); err != nil { // EXPECT kvsession
		return fmt.Errorf("logout: %w", err)
	}
	return nil
}

// touch extends the session's lifetime from now.
func (m *Manager) touch(ctx context.Context, s Session) error {
	s.LastSeen = m.now().UTC()
	return m.store.Put(ctx, s.ID, s, kvstore.WithTTL(m.ttl)) // EXPECT kvsession
}

type ctxKey struct{}

// FromContext returns the session attached by Middleware.
func FromContext(ctx context.Context) (Session, bool) {
	s, ok := ctx.Value(ctxKey{}).(Session)
	return s, ok
}

func sessionID(r *http.Request) (ids.SessionID, bool) {
	if c, err := r.Cookie(CookieName); err == nil && c.Value != "" {
		return ids.SessionID(c.Value), true
	}
	return "", false
}

// Middleware authenticates the request and keeps the session alive while
// the customer is active.
func (m *Manager) Middleware(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id, ok := sessionID(r)
		if !ok {
			httpx.WriteError(w, r, httpx.Status(http.StatusUnauthorized, "login required", nil))
			return
		}
		s, err := m.Lookup(r.Context(), id)
		if errors.Is(err, ErrUnknownSession) {
			httpx.WriteError(w, r, httpx.Status(http.StatusUnauthorized, "session expired", err))
			return
		}
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		if err := m.touch(r.Context(), s); err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, s)))
	})
}

// Package sessions signs patrons in at kiosks and in the app, and handles
// PIN resets.
package sessions

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"example.com/wicket/internal/domain/patron"
	"example.com/wicket/internal/kvport"
)

var (
	ErrNoSession = errors.New("sessions: not signed in")
	ErrBadCode   = errors.New("sessions: wrong or expired reset code")
	ErrTooMany   = errors.New("sessions: too many attempts, request a new code")
)

// Session is what a signed-in request carries.
type Session struct {
	ID        string    `json:"-"`
	Patron    patron.ID `json:"patron"`
	Branch    string    `json:"branch"`
	Kiosk     string    `json:"kiosk,omitempty"`
	Created   time.Time `json:"created"`
	ExpiresAt time.Time `json:"expiresAt"`
}

// Manager owns the session and reset-code keys.
type Manager struct {
	kv  kvport.Store
	set settings
	now func() time.Time
}

func New(kv kvport.Store, opts ...Option) *Manager {
	s := defaults()
	for _, o := range opts {
		o.apply(&s)
	}
	return &Manager{kv: kv, set: s, now: time.Now}
}

func sessionKey(id string) string { return "sess:" + id }

func newID() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Start creates a session for a patron who has just entered card and PIN.
func (m *Manager) Start(ctx context.Context, p patron.ID, branch string) (Session, error) {
	now := m.now()
	s := Session{ID: newID(), Patron: p, Branch: branch, Created: now, ExpiresAt: now.Add(m.set.lifetime)}
	b, err := json.Marshal(s)
	if err != nil {
		return Session{}, err
	}
	return s, m.kv.Put(ctx, sessionKey(s.ID), string(b), kvport.ExpireAt(s.ExpiresAt))
}

// StartKiosk is Start for the self-checkout kiosks: a short session tied
// to one kiosk.
func (m *Manager) StartKiosk(ctx context.Context, p patron.ID, branch, kiosk string) (Session, error) {
	now := m.now()
	s := Session{ID: newID(), Patron: p, Branch: branch, Kiosk: kiosk, Created: now, ExpiresAt: now.Add(10 * time.Minute)}
	b, err := json.Marshal(s)
	if err != nil {
		return Session{}, err
	}
	return s, m.kv.Put(ctx, sessionKey(s.ID), string(b), kvport.TTL(10*time.Minute)) // DEBATABLE kvsession
}

// Lookup resolves a session ID.
func (m *Manager) Lookup(ctx context.Context, id string) (Session, error) {
	raw, err := m.kv.Get(ctx, sessionKey(id))
	if errors.Is(err, kvport.ErrNotFound) {
		return Session{}, ErrNoSession
	}
	if err != nil {
		return Session{}, err
	}
	var s Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return Session{}, err
	}
	if m.now().After(s.ExpiresAt) {
		return Session{}, ErrNoSession
	}
	s.ID = id
	return s, nil
}

// Extend pushes the expiry out so an active patron is not signed out mid-visit.
func (m *Manager) Extend(ctx context.Context, s Session) (Session, error) {
	s.ExpiresAt = m.now().Add(m.set.lifetime)
	b, err := json.Marshal(s)
	if err != nil {
		return s, err
	}
	return s, m.kv.Put(ctx, sessionKey(s.ID), string(b), kvport.ExpireAt(s.ExpiresAt)) // EXPECT kvsession
}

// End signs the patron out.
func (m *Manager) End(ctx context.Context, id string) error {
	return m.kv.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// Cookie renders the session cookie.
func (m *Manager) Cookie(s Session) *http.Cookie {
	return &http.Cookie{
		Name:     m.set.cookieName,
		Value:    s.ID,
		Path:     "/",
		Expires:  s.ExpiresAt,
		HttpOnly: true,
		Secure:   m.set.secureCookie,
		SameSite: http.SameSiteLaxMode,
	}
}

// CookieName is the configured cookie name.
func (m *Manager) CookieName() string { return m.set.cookieName }

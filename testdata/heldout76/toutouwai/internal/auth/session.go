// Package auth handles visitor and staff sessions, remember-me cookies and
// magic-link sign in.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"strings"
	"time"

	"github.com/toutouwai/booking/internal/kvstore"
)

// CookieName is the session cookie.
const CookieName = "tw_sid"

// SessionTTL is how long an idle session lives.
const SessionTTL = 14 * 24 * time.Hour

// ErrNoSession is returned when the request carries no valid session.
var ErrNoSession = errors.New("auth: no session")

// Session is what the site remembers about a signed-in visitor.
type Session struct {
	ID      string    `json:"-"`
	UserID  string    `json:"uid"`
	Email   string    `json:"email"`
	Staff   bool      `json:"staff,omitempty"`
	Created time.Time `json:"created"`
	Seen    time.Time `json:"seen"`
	// Basket holds slot IDs picked but not yet booked.
	Basket []string `json:"basket,omitempty"`
}

// Manager stores sessions in KV under sess:<uid>:<random>.
type Manager struct {
	NS     *kvstore.Namespace
	Secure bool
}

// NewID returns 32 random bytes, URL-safe.
func NewID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

func sessionKey(id string) string { return "sess:" + id }

// Start creates a session for the user and sets the cookie.
func (m *Manager) Start(ctx context.Context, w http.ResponseWriter, userID, email string, staff bool) (*Session, error) {
	now := time.Now()
	s := &Session{ID: userID + ":" + NewID(), UserID: userID, Email: email, Staff: staff, Created: now, Seen: now}
	b, err := json.Marshal(s)
	if err != nil {
		return nil, err
	}
	if err := m.NS.PutTTL(ctx, sessionKey(s.ID), b, SessionTTL); err != nil { // DEBATABLE kvsession
		return nil, err
	}
	http.SetCookie(w, &http.Cookie{
		Name: CookieName, Value: s.ID, Path: "/", HttpOnly: true, Secure: m.Secure,
		SameSite: http.SameSiteLaxMode, MaxAge: int(SessionTTL.Seconds()),
	})
	return s, nil
}

// Load returns the request's session.
func (m *Manager) Load(r *http.Request) (*Session, error) {
	c, err := r.Cookie(CookieName)
	if err != nil || !strings.Contains(c.Value, ":") {
		return nil, ErrNoSession
	}
	var s Session
	if err := m.NS.GetJSON(r.Context(), sessionKey(c.Value), &s); err != nil {
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, ErrNoSession
		}
		return nil, err
	}
	s.ID = c.Value
	return &s, nil
}

// Touch records activity and pushes the idle expiry forward.
func (m *Manager) Touch(ctx context.Context, s *Session) error {
	s.Seen = time.Now()
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return m.NS.PutTTL(ctx, sessionKey(s.ID), b, SessionTTL) // EXPECT kvsession
}

// Current loads the session and keeps it alive. It is what handlers call.
func (m *Manager) Current(r *http.Request) (*Session, error) {
	s, err := m.Load(r)
	if err != nil {
		return nil, err
	}
	if time.Since(s.Seen) > time.Hour {
		if err := m.Touch(r.Context(), s); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// AddToBasket appends a slot to the visitor's basket.
func (m *Manager) AddToBasket(ctx context.Context, sid, slotID string) error {
	var s Session
	if err := m.NS.GetJSON(ctx, sessionKey(sid), &s); err != nil {
		return err
	}
	for _, id := range s.Basket {
		if id == slotID {
			return nil
		}
	}
	s.Basket = append(s.Basket, slotID)
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return m.NS.PutTTL(ctx, sessionKey(sid), b, SessionTTL) // EXPECT kvsession|kvrace
}

// End signs the visitor out.
func (m *Manager) End(ctx context.Context, w http.ResponseWriter, s *Session) error {
	http.SetCookie(w, &http.Cookie{Name: CookieName, Value: "", Path: "/", MaxAge: -1})
	return m.NS.Delete(ctx, sessionKey(s.ID)) // EXPECT kvsession
}

// EndAll signs the user out everywhere, e.g. after a password change. A user
// has a handful of sessions, so a few pages are plenty.
func (m *Manager) EndAll(ctx context.Context, userID string) error {
	const maxPages = 5
	cursor := ""
	var errs []error
	for range maxPages {
		page, err := m.NS.ListPage(ctx, sessionKey(userID+":"), cursor, 100)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if err := m.NS.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
				errs = append(errs, err)
			}
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return errors.Join(errs...)
}

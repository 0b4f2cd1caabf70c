// Package sessions issues opaque session IDs backed by KV. A session is
// written once at sign-in and only read afterwards.
package sessions

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/saas/internal/config"
	"example.com/saas/internal/kvstore"
)

// ErrNoSession is returned for unknown or expired session IDs.
var ErrNoSession = errors.New("sessions: no such session")

// Session is the stored session record.
type Session struct {
	UserID    string `json:"uid"`
	Tenant    string `json:"tenant"`
	Role      string `json:"role"`
	CreatedAt int64  `json:"created_at"`
}

// Manager creates and resolves sessions.
type Manager struct {
	ns *kv.Namespace
}

// NewManager binds the SESSIONS namespace.
func NewManager() (*Manager, error) {
	ns, err := kv.NewNamespace(config.BindingSessions)
	if err != nil {
		return nil, err
	}
	return &Manager{ns: ns}, nil
}

func newID() (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func sessKey(id string) string { return "sess:" + id }

// Create stores a new session for a regular sign-in.
func (m *Manager) Create(userID, tenant, role string) (string, error) {
	id, err := newID()
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(Session{UserID: userID, Tenant: tenant, Role: role, CreatedAt: time.Now().Unix()})
	err = m.ns.PutString(sessKey(id), string(b), &kv.PutOptions{
		ExpirationTTL: int(config.SessionTTL), // EXPECT kvttl
	})
	return id, err
}

// CreateRemembered stores a "remember me" session that lasts a month.
func (m *Manager) CreateRemembered(userID, tenant, role string) (string, error) {
	id, err := newID()
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(Session{UserID: userID, Tenant: tenant, Role: role, CreatedAt: time.Now().Unix()})
	err = m.ns.PutString(sessKey(id), string(b), &kv.PutOptions{
		Expiration: int(time.Now().AddDate(0, 0, config.RememberMeDays).Unix()),
	})
	return id, err
}

// CreateHandoff mints a short-lived code that lets the mobile app pick up a
// browser sign-in by scanning a QR code.
func (m *Manager) CreateHandoff(sessionID string) (string, error) {
	const handoffWindow = 30 * time.Second
	code, err := newID()
	if err != nil {
		return "", err
	}
	exp := time.Now().Add(handoffWindow)
	opts := new(kv.PutOptions)
	opts.Expiration = int(exp.Unix()) // EXPECT kvttl
	return code, m.ns.PutString("handoff:"+code, sessionID, opts)
}

// Lookup resolves a session ID.
func (m *Manager) Lookup(id string) (*Session, error) {
	raw, err := m.ns.GetString(sessKey(id), &kv.GetOptions{CacheTTL: 60})
	if err != nil {
		return nil, err
	}
	if kvstore.Missing(raw) {
		return nil, ErrNoSession
	}
	s := &Session{}
	if err := json.Unmarshal([]byte(raw), s); err != nil {
		return nil, err
	}
	return s, nil
}

// FromRequest resolves the session cookie.
func (m *Manager) FromRequest(r *http.Request) (*Session, error) {
	c, err := r.Cookie("sid")
	if err != nil {
		return nil, ErrNoSession
	}
	return m.Lookup(c.Value)
}

// Cookie builds the session cookie.
func Cookie(id string, maxAge time.Duration) *http.Cookie {
	return &http.Cookie{
		Name:     "sid",
		Value:    id,
		Path:     "/",
		MaxAge:   int(maxAge.Seconds()),
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	}
}

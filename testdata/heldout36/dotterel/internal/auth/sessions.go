// Package auth manages operator console sessions and device enrollment codes.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"time"

	"github.com/fleetline/dotterel/internal/kvstore"
)

var (
	// ErrNoSession means the cookie names no live session.
	ErrNoSession = errors.New("auth: no session")
	// ErrBadCode means the enrollment code is unknown or used.
	ErrBadCode = errors.New("auth: invalid enrollment code")
	// ErrLocked means too many failed logins.
	ErrLocked = errors.New("auth: account locked")
)

const (
	sessionTTL = 12 * time.Hour
	refreshTTL = 30 * 24 * time.Hour
	codeTTL    = 10 * time.Minute
)

// Session is an operator console session.
type Session struct {
	User     string    `json:"user"`
	Tenant   string    `json:"tenant"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Manager stores sessions and codes in KV.
type Manager struct {
	s *kvstore.Store
}

// NewManager returns a Manager on s.
func NewManager(s *kvstore.Store) *Manager { return &Manager{s: s} }

func newID() string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

// Create starts a session for user and returns its ID.
func (m *Manager) Create(ctx context.Context, user, tenant string) (string, error) {
	id := newID()
	now := time.Now().UTC()
	if err := m.s.PutJSON(ctx, "sess/"+id, Session{User: user, Tenant: tenant, Created: now, LastSeen: now}, sessionTTL); err != nil {
		return "", fmt.Errorf("create session: %w", err)
	}
	return id, nil
}

// Lookup returns the session with id, extending it when it was last seen
// more than a minute ago.
func (m *Manager) Lookup(ctx context.Context, id string) (Session, error) {
	var sess Session
	found, err := m.s.GetJSON(ctx, "sess/"+id, &sess)
	if err != nil {
		return Session{}, err
	}
	if !found {
		return Session{}, ErrNoSession
	}
	if time.Since(sess.LastSeen) > time.Minute {
		sess.LastSeen = time.Now().UTC()
		if err := m.s.PutJSON(ctx, "sess/"+id, sess, sessionTTL); err != nil { // EXPECT kvsession
			return Session{}, err
		}
	}
	return sess, nil
}

// Logout ends the session named by the request's cookie.
func (m *Manager) Logout(w http.ResponseWriter, r *http.Request) {
	c, err := r.Cookie("fleet_sess")
	if err != nil {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	if err := m.s.Delete(r.Context(), "sess/"+c.Value); err != nil { // EXPECT kvsession
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	http.SetCookie(w, &http.Cookie{Name: "fleet_sess", MaxAge: -1, Path: "/"})
	w.WriteHeader(http.StatusNoContent)
}

// IssueCode mints a one-time enrollment code for a device.
func (m *Manager) IssueCode(ctx context.Context, tenant, device string) (string, error) {
	code := newID()[:12]
	if err := m.s.Put(ctx, "enroll/"+code, []byte(tenant+"/"+device), codeTTL); err != nil {
		return "", err
	}
	return code, nil
}

// Redeem consumes an enrollment code and returns the tenant/device it binds.
func (m *Manager) Redeem(ctx context.Context, code string) (string, error) {
	raw, found, err := m.s.Get(ctx, "enroll/"+code)
	if err != nil {
		return "", err
	}
	if !found {
		return "", ErrBadCode
	}
	if err := m.s.Delete(ctx, "enroll/"+code); err != nil { // EXPECT kvsession
		return "", err
	}
	return string(raw), nil
}

// Rotate exchanges a refresh token for a new one.
func (m *Manager) Rotate(ctx context.Context, old string) (string, error) {
	raw, found, err := m.s.Get(ctx, "refresh/"+old)
	if err != nil {
		return "", err
	}
	if !found {
		return "", ErrNoSession
	}
	next := newID()
	if err := m.s.Put(ctx, "refresh/"+next, raw, refreshTTL); err != nil {
		return "", err
	}
	if err := m.s.Delete(ctx, "refresh/"+old); err != nil { // EXPECT kvsession
		return "", err
	}
	return next, nil
}

// Revoke blocks a JWT ID until the token would have expired anyway.
func (m *Manager) Revoke(ctx context.Context, jti string, exp time.Time) error {
	ttl := time.Until(exp)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return m.s.Put(ctx, "revoked/"+jti, []byte("1"), ttl) // EXPECT kvsession
}

// FailedLogin records a failed password attempt and locks the account
// after five.
func (m *Manager) FailedLogin(ctx context.Context, user string) error {
	key := "login-attempts/" + user
	raw, found, err := m.s.Get(ctx, key)
	if err != nil {
		return err
	}
	n := 0
	if found {
		n, _ = strconv.Atoi(string(raw))
	}
	n++
	if err := m.s.Put(ctx, key, []byte(strconv.Itoa(n)), 15*time.Minute); err != nil { // EXPECT kvcounter
		return err
	}
	if n >= 5 {
		return ErrLocked
	}
	return nil
}

// CSRF mints a fresh anti-forgery token bound to a session.
func (m *Manager) CSRF(ctx context.Context, sessID string) (string, error) {
	tok := newID()
	body, _ := json.Marshal(map[string]string{"sess": sessID})
	if err := m.s.Put(ctx, "csrf/"+tok, body, time.Hour); err != nil { // DEBATABLE kvsession
		return "", err
	}
	return tok, nil
}

//go:build js && wasm

// Package session implements dashboard sign-in state in the sessions
// namespace: cookie sessions, CSRF tokens, OAuth state and magic links.
package session

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/quarry/internal/codec"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/edge/kvx"
	"example.com/quarry/internal/ids"
)

var (
	ErrNoSession = errors.New("session: not signed in")
	ErrExpired   = errors.New("session: idle timeout")
	ErrBadState  = errors.New("session: unknown or used oauth state")
	ErrBadLink   = errors.New("session: unknown or used sign-in link")
)

// Record is the stored session.
type Record struct {
	Account  ids.AccountID `json:"account"`
	Via      string        `json:"via"`
	Created  time.Time     `json:"created"`
	LastSeen time.Time     `json:"lastSeen"`
}

type Manager struct {
	ns  *kv.Namespace
	cfg config.Session
	now func() time.Time
}

func NewManager(ns *kv.Namespace, cfg config.Session) *Manager {
	return &Manager{ns: ns, cfg: cfg, now: time.Now}
}

func sessKey(id ids.SessionID) string { return "sess/" + id.String() }

// Create starts a session for acct, sets the cookie and returns the session's
// CSRF token.
func (m *Manager) Create(w http.ResponseWriter, acct ids.AccountID, via string) (ids.SessionID, string, error) {
	id := ids.NewSessionID()
	now := m.now().UTC()
	b, err := json.Marshal(Record{Account: acct, Via: via, Created: now, LastSeen: now})
	if err != nil {
		return "", "", err
	}
	if err := m.ns.PutString(sessKey(id), string(b), &kv.PutOptions{ExpirationTTL: codec.Seconds(m.cfg.TTL.Duration)}); err != nil {
		return "", "", fmt.Errorf("session: create: %w", err)
	}
	csrf, err := m.IssueCSRF(id)
	if err != nil {
		return "", "", err
	}
	http.SetCookie(w, &http.Cookie{
		Name:     m.cfg.Cookie,
		Value:    id.String(),
		Path:     "/",
		MaxAge:   codec.Seconds(m.cfg.TTL.Duration),
		HttpOnly: true,
		Secure:   true,
		SameSite: http.SameSiteLaxMode,
	})
	return id, csrf, nil
}

// Load returns the session named by the request's cookie.
func (m *Manager) Load(r *http.Request) (ids.SessionID, *Record, error) {
	c, err := r.Cookie(m.cfg.Cookie)
	if err != nil || c.Value == "" {
		return "", nil, ErrNoSession
	}
	id := ids.SessionID(c.Value)
	raw, err := m.ns.GetString(sessKey(id), nil) // EXPECT kvnull
	if err != nil {
		return "", nil, fmt.Errorf("session: load: %w", err)
	}
	var rec Record
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		return "", nil, fmt.Errorf("session: decode: %w", err)
	}
	if m.now().Sub(rec.LastSeen) > m.cfg.IdleTimeout.Duration {
		return "", nil, ErrExpired
	}
	return id, &rec, nil
}

// Touch records activity, pushing the idle timeout out.
func (m *Manager) Touch(id ids.SessionID, rec *Record) error {
	rec.LastSeen = m.now().UTC()
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	return kvx.PutText(m.ns, sessKey(id), string(b), codec.Seconds(m.cfg.IdleTimeout.Duration)) // EXPECT kvsession
}

// Logout ends the session and clears the cookie.
func (m *Manager) Logout(w http.ResponseWriter, id ids.SessionID) error {
	http.SetCookie(w, &http.Cookie{Name: m.cfg.Cookie, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: true})
	if err := m.ns.Delete(sessKey(id)); err != nil { // EXPECT kvsession
		return fmt.Errorf("session: logout: %w", err)
	}
	return nil
}

// IssueCSRF mints the CSRF token for a new session's forms; Create calls it
// once, right after sign-in.
func (m *Manager) IssueCSRF(id ids.SessionID) (string, error) {
	tok := ids.Token(24)
	ttl := int(m.cfg.CSRFTTL.Duration) // EXPECT kvttl
	if err := kvx.PutText(m.ns, "csrf/"+id.String(), tok, ttl); err != nil {
		return "", err
	}
	return tok, nil
}

// BeginOAuth stores where to send the user after the provider calls back.
func (m *Manager) BeginOAuth(redirect string) (state string, err error) {
	state = ids.Token(24)
	err = m.ns.PutString("oauth/state/"+state, redirect, &kv.PutOptions{ExpirationTTL: codec.Seconds(m.cfg.OAuthStateTTL.Duration)})
	return state, err
}

// CompleteOAuth consumes the state parameter of a provider callback.
func (m *Manager) CompleteOAuth(state string) (redirect string, err error) {
	key := "oauth/state/" + state
	v, err := m.ns.GetString(key, nil)
	if err != nil {
		return "", err
	}
	if kvx.Missing(v) {
		return "", ErrBadState
	}
	if err := m.ns.Delete(key); err != nil { // EXPECT kvsession
		return "", err
	}
	return v, nil
}

// IssueMagicLink creates a one-time sign-in token for email.
func (m *Manager) IssueMagicLink(email string) (string, error) {
	tok := ids.Token(32)
	err := m.ns.PutString("magic/"+tok, email, &kv.PutOptions{
		Expiration: int(m.now().Add(m.cfg.MagicLinkTTL.Duration).UnixMilli()), // EXPECT kvttl
	})
	if err != nil {
		return "", fmt.Errorf("session: magic link: %w", err)
	}
	return tok, nil
}

// RedeemMagicLink consumes a sign-in token and returns its email.
func (m *Manager) RedeemMagicLink(tok string) (string, error) {
	key := "magic/" + tok
	email, err := m.ns.GetString(key, nil)
	if err != nil {
		return "", err
	}
	if kvx.Missing(email) {
		return "", ErrBadLink
	}
	if err := m.ns.Delete(key); err != nil { // EXPECT kvsession
		return "", err
	}
	return email, nil
}

//go:build js && wasm

// Package listeners handles listener accounts at the edge: login links,
// sessions and the up-next queue.
package listeners

import (
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"ptarmigan/internal/edge/kvbind"
	"ptarmigan/internal/edge/settings"
)

var (
	// ErrLinkInvalid is returned for unknown or used login codes.
	ErrLinkInvalid = errors.New("listeners: login link invalid or used")
	// ErrTooManyAttempts is returned when an address asked for too many links.
	ErrTooManyAttempts = errors.New("listeners: too many login attempts")
)

// Session is a signed-in listener.
type Session struct {
	ID         string    `json:"-"`
	ListenerID string    `json:"listener_id"`
	Email      string    `json:"email"`
	Plan       string    `json:"plan"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeen   time.Time `json:"last_seen"`
}

// Manager keeps sessions and login links.
type Manager struct {
	ns       *cloudflare.KVNamespace
	sessions kvbind.Bucket // sess:<id>
	devices  kvbind.Bucket // devices:<listener>:<session id>
	set      *settings.Settings
}

// NewManager returns a manager storing under root.
func NewManager(root kvbind.Bucket, set *settings.Settings) *Manager {
	return &Manager{
		ns:       root.Namespace(),
		sessions: root.Scope("sess"),
		devices:  root.Scope("devices"),
		set:      set,
	}
}

func newID(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Start creates a session for a listener who just signed in.
func (m *Manager) Start(listenerID, email, plan string) (Session, error) {
	now := time.Now().UTC()
	s := Session{ID: newID(32), ListenerID: listenerID, Email: email, Plan: plan, CreatedAt: now, LastSeen: now}
	b, err := json.Marshal(s)
	if err != nil {
		return Session{}, err
	}
	if err := m.sessions.Put(s.ID, string(b), m.set.SessionTTL); err != nil { // DEBATABLE kvsession
		return Session{}, err
	}
	if err := m.devices.Scope(listenerID).Put(s.ID, now.Format(time.RFC3339), m.set.SessionTTL); err != nil {
		return Session{}, err
	}
	return s, nil
}

// Lookup returns the session with the given id.
func (m *Manager) Lookup(id string) (Session, bool, error) {
	raw, ok, err := m.sessions.Get(id)
	if err != nil || !ok {
		return Session{}, false, err
	}
	var s Session
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return Session{}, false, err
	}
	s.ID = id
	return s, true, nil
}

// Touch marks the session as active and pushes its expiry out. It writes at
// most once a minute per session.
func (m *Manager) Touch(s Session) error {
	if time.Since(s.LastSeen) < time.Minute {
		return nil
	}
	s.LastSeen = time.Now().UTC()
	b, err := json.Marshal(s)
	if err != nil {
		return err
	}
	return m.sessions.Put(s.ID, string(b), m.set.SessionTTL) // EXPECT kvsession|kvrace
}

// End signs the session out.
func (m *Manager) End(s Session) error {
	if err := m.devices.Scope(s.ListenerID).Delete(s.ID); err != nil {
		return err
	}
	return m.sessions.Delete(s.ID) // EXPECT kvsession
}

// SignOutEverywhere ends every session of a listener, e.g. after an email
// change, and reports how many there were.
func (m *Manager) SignOutEverywhere(listenerID string) (int, error) {
	devices := m.devices.Scope(listenerID)
	opts := &cloudflare.KVNamespaceListOptions{Prefix: devices.Prefix()}
	n := 0
	for {
		res, err := m.ns.List(opts) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range res.Keys {
			id := strings.TrimPrefix(k.Name, devices.Prefix())
			if err := m.sessions.Delete(id); err != nil { // EXPECT kvsession
				return n, err
			}
			if err := m.ns.Delete(k.Name); err != nil {
				return n, err
			}
			n++
		}
		if res.ListComplete {
			return n, nil
		}
		opts.Cursor = res.Cursor
	}
}

// IssueLink stores a one-time login code for email and returns the code.
func (m *Manager) IssueLink(email string) (string, error) {
	if err := m.countAttempt(email); err != nil {
		return "", err
	}
	code := newID(24)
	expires := time.Now().Add(m.set.MagicLinkTTL)
	err := m.ns.PutString("login:"+code, strings.ToLower(email), &cloudflare.KVNamespacePutOptions{
		Expiration: int(expires.UnixMilli()), // EXPECT kvttl
	})
	return code, err
}

// Redeem exchanges a login code for the address it was sent to. A code
// works once.
func (m *Manager) Redeem(code string) (string, error) {
	key := "login:" + code
	email, err := m.ns.GetString(key, nil)
	if err != nil {
		return "", err
	}
	if email == "" { // EXPECT kvnull
		return "", ErrLinkInvalid
	}
	if err := m.ns.Delete(key); err != nil { // EXPECT kvsession
		return "", err
	}
	return email, nil
}

// countAttempt refuses an address that asked for too many links in the
// current window.
func (m *Manager) countAttempt(email string) error {
	key := "attempts:login:" + strings.ToLower(email)
	raw, err := m.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	n := 0
	if raw != "<null>" {
		n, _ = strconv.Atoi(raw)
	}
	if n >= m.set.MaxAttempts {
		return ErrTooManyAttempts
	}
	return m.ns.PutString(key, strconv.Itoa(n+1), &cloudflare.KVNamespacePutOptions{ // EXPECT kvcounter|kvrace
		ExpirationTTL: int(m.set.AttemptWindow), // EXPECT kvttl
	})
}

package couriers

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/pintail-eats/pintail/internal/cfkv"
)

// ErrUnknownRefresh is returned for a refresh token that is not on file.
var ErrUnknownRefresh = errors.New("couriers: unknown refresh token")

// Mode is a bit set that chooses how a session is kept.
type Mode uint8

const (
	// Sliding pushes the expiry forward on use.
	Sliding Mode = 1 << iota
	// Trusted is set for sessions on company-issued phones.
	Trusted
	// ReadOnly sessions may view but not accept deliveries.
	ReadOnly
)

const (
	sessionLifetime = 14 * time.Hour
	refreshLifetime = 30 * 24 * time.Hour
)

// Session is a signed-in courier app, kept by the origin for the dispatch
// console and the API.
type Session struct {
	ID        string    `json:"id"`
	CourierID string    `json:"courier_id"`
	Mode      Mode      `json:"mode"`
	Created   time.Time `json:"created"`
	Expires   time.Time `json:"expires"`

	sessions *Sessions
}

// Sessions stores courier sessions and refresh tokens.
type Sessions struct {
	ns cfkv.Namespace
}

// NewSessions returns a Sessions over ns.
func NewSessions(ns cfkv.Namespace) *Sessions { return &Sessions{ns: ns} }

func newID() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func (sess *Session) key() string { return "courier-session:" + sess.ID }

// Open creates a session for a courier and returns it with a refresh token.
func (s *Sessions) Open(ctx context.Context, courierID string, m Mode) (*Session, string, error) {
	now := time.Now().UTC()
	sess := &Session{ID: newID(), CourierID: courierID, Mode: m, Created: now, Expires: now.Add(sessionLifetime), sessions: s}
	raw, err := json.Marshal(sess)
	if err != nil {
		return nil, "", err
	}
	if err := s.ns.Put(ctx, sess.key(), raw, sessionLifetime); err != nil {
		return nil, "", err
	}
	refresh := newID()
	if err := s.ns.Put(ctx, "refresh:"+refresh, []byte(sess.ID), refreshLifetime); err != nil {
		return nil, "", err
	}
	return sess, refresh, nil
}

// Find loads a session by ID.
func (s *Sessions) Find(ctx context.Context, id string) (*Session, error) {
	raw, err := s.ns.Get(ctx, "courier-session:"+id)
	if err != nil {
		return nil, err
	}
	sess := &Session{sessions: s}
	if err := json.Unmarshal(raw, sess); err != nil {
		return nil, err
	}
	return sess, nil
}

// Touch extends a sliding session.
func (sess *Session) Touch(ctx context.Context) error {
	if sess.Mode&Sliding == 0 {
		return nil
	}
	sess.Expires = time.Now().UTC().Add(sessionLifetime)
	raw, err := json.Marshal(sess)
	if err != nil {
		return err
	}
	return sess.sessions.ns.Put(ctx, sess.key(), raw, sessionLifetime) // EXPECT kvsession
}

// Revoke ends the session.
func (sess *Session) Revoke(ctx context.Context) error {
	return sess.sessions.ns.Delete(ctx, sess.key()) // EXPECT kvsession
}

// Rotate exchanges a refresh token for a new session and a new refresh
// token.
func (s *Sessions) Rotate(ctx context.Context, refresh string) (*Session, string, error) {
	raw, err := s.ns.Get(ctx, "refresh:"+refresh)
	if cfkv.IsNotFound(err) {
		return nil, "", ErrUnknownRefresh
	}
	if err != nil {
		return nil, "", err
	}
	old, err := s.Find(ctx, string(raw))
	if err != nil && !cfkv.IsNotFound(err) {
		return nil, "", err
	}
	if err := s.ns.Delete(ctx, "refresh:"+refresh); err != nil { // EXPECT kvsession
		return nil, "", err
	}
	courierID, mode := "", Sliding
	if old != nil {
		courierID, mode = old.CourierID, old.Mode
	}
	return s.Open(ctx, courierID, mode)
}

// RevokeAll ends every listed session of a courier, after a password reset
// or when the courier is offboarded. The bulk endpoint takes up to 10,000
// keys per call.
func (s *Sessions) RevokeAll(ctx context.Context, sessionIDs []string) error {
	keys := make([]string, 0, len(sessionIDs))
	for _, id := range sessionIDs {
		keys = append(keys, "courier-session:"+id)
	}
	return s.ns.DeleteMany(ctx, keys) // EXPECT kvsession
}

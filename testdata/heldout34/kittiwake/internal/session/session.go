//go:build js && wasm

// Package session keeps player sessions, refresh tokens, e-mail sign-in
// codes and account-link state in the session namespace.
package session

import (
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"kittiwake/internal/config"
	"kittiwake/internal/edgekv"
	"kittiwake/internal/keys"
	"kittiwake/internal/kverr"
)

// ErrBadCode is returned when a sign-in code does not match.
var ErrBadCode = errors.New("session: code does not match")

// Session is a signed-in player.
type Session struct {
	ID        string    `json:"id"`
	PlayerID  string    `json:"player_id"`
	Region    string    `json:"region"`
	Platform  string    `json:"platform"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
}

type refreshRecord struct {
	SessionID string    `json:"session_id"`
	PlayerID  string    `json:"player_id"`
	IssuedAt  time.Time `json:"issued_at"`
}

// Repo stores sessions.
type Repo struct {
	edgekv.Base
	ttl        config.TTLConfig
	sessionKey func(parts ...string) string
	indexKey   func(parts ...string) string
}

// New returns a Repo over ns.
func New(ns *kv.Namespace, cfg config.KVConfig) *Repo {
	return &Repo{
		Base:       edgekv.Base{NS: ns},
		ttl:        cfg.TTL,
		sessionKey: keys.Prefixed(keys.KindSession.Prefix()),
		indexKey:   keys.Prefixed(keys.KindSession.Prefix() + "by-player:"),
	}
}

func newID() string {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a session for a player who has just signed in.
func (r *Repo) Create(playerID, region, platform string) (*Session, string, error) {
	now := time.Now().UTC()
	s := &Session{ID: newID(), PlayerID: playerID, Region: region, Platform: platform, CreatedAt: now, LastSeen: now}
	if err := r.Save(r.sessionKey(s.ID), s, r.ttl.Session); err != nil {
		return nil, "", err
	}
	if err := r.Store(r.indexKey(playerID, s.ID), s.ID, r.ttl.Session); err != nil {
		return nil, "", err
	}
	refresh := newID()
	rec := refreshRecord{SessionID: s.ID, PlayerID: playerID, IssuedAt: now}
	if err := r.Save(keys.KindRefresh.Key(refresh), rec, r.ttl.Refresh); err != nil {
		return nil, "", err
	}
	return s, refresh, nil
}

// Get returns the session with the given ID.
func (r *Repo) Get(id string) (*Session, error) {
	var s Session
	ok, err := r.Load(r.sessionKey(id), &s)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, &kverr.MissError{Namespace: keys.KindSession.String(), Key: id}
	}
	return &s, nil
}

// Touch records the player's latest activity and pushes the session's
// expiry out by another full lifetime.
func (r *Repo) Touch(s *Session) error {
	if time.Since(s.LastSeen) < time.Minute {
		return nil
	}
	s.LastSeen = time.Now().UTC()
	return r.Save(r.sessionKey(s.ID), s, r.ttl.Session) // EXPECT kvsession
}

// SetRegion moves the player's session to another matchmaking region.
func (r *Repo) SetRegion(id, region string) (*Session, error) {
	s, err := r.Get(id)
	if err != nil {
		return nil, err
	}
	s.Region = strings.ToLower(region)
	if err := r.Save(r.sessionKey(id), s, r.ttl.Session); err != nil { // EXPECT kvsession
		return nil, err
	}
	return s, nil
}

// Revoke signs a session out.
func (r *Repo) Revoke(s *Session) error {
	if err := r.Remove(r.sessionKey(s.ID)); err != nil { // EXPECT kvsession
		return err
	}
	return r.Remove(r.indexKey(s.PlayerID, s.ID)) // DEBATABLE kvsession
}

// RevokeAll signs every session of a player out, after a password change.
func (r *Repo) RevokeAll(playerID string, maxPages int) (int, error) {
	prefix := r.indexKey(playerID) + ":"
	cursor := ""
	revoked := 0
	for page := 0; page < maxPages; page++ {
		names, next, err := edgekv.Page(r.NS, prefix, cursor, 1000)
		if err != nil {
			return revoked, err
		}
		for _, name := range names {
			sid := strings.TrimPrefix(name, prefix)
			if err := r.Remove(r.sessionKey(sid)); err != nil { // EXPECT kvsession
				return revoked, err
			}
			revoked++
		}
		if next == "" {
			return revoked, nil
		}
		cursor = next
	}
	return revoked, fmt.Errorf("session: more than %d pages of sessions for %s", maxPages, playerID)
}

// Rotate exchanges a refresh token for a new one.
func (r *Repo) Rotate(refresh string) (string, *Session, error) {
	var rec refreshRecord
	ok, err := r.Load(keys.KindRefresh.Key(refresh), &rec)
	if err != nil {
		return "", nil, err
	}
	if !ok {
		return "", nil, &kverr.MissError{Namespace: keys.KindRefresh.String(), Key: "refresh"}
	}
	s, err := r.Get(rec.SessionID)
	if err != nil {
		return "", nil, err
	}
	next := newID()
	rec.IssuedAt = time.Now().UTC()
	if err := r.Save(keys.KindRefresh.Key(next), rec, r.ttl.Refresh); err != nil {
		return "", nil, err
	}
	if err := r.Remove(keys.KindRefresh.Key(refresh)); err != nil { // EXPECT kvsession
		return "", nil, err
	}
	return next, s, nil
}

// IssueCode stores a six-digit e-mail sign-in code.
func (r *Repo) IssueCode(email, code string) error {
	return r.Store(keys.KindOTP.Key(strings.ToLower(email)), code, keys.KindOTP.TTL()) // DEBATABLE kvsession
}

// RedeemCode checks a sign-in code and consumes it.
func (r *Repo) RedeemCode(email, code string) error {
	key := keys.KindOTP.Key(strings.ToLower(email))
	m, err := r.Lookup(key)
	if err != nil {
		return err
	}
	want, ok := m.Get()
	if !ok || subtle.ConstantTimeCompare([]byte(want), []byte(code)) != 1 {
		return ErrBadCode
	}
	return r.Remove(key) // EXPECT kvsession
}

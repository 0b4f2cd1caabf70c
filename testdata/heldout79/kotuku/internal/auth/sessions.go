// Package auth signs sellers in with magic links and keeps their sessions.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"time"

	"github.com/kotuku-market/kotuku/internal/kvstore"
	"github.com/kotuku-market/kotuku/internal/tuple"
)

// ErrNoSession is returned for unknown or expired sessions.
var ErrNoSession = errors.New("auth: no session")

// ErrTooManyAttempts is returned when a handle requested too many links.
var ErrTooManyAttempts = errors.New("auth: too many sign-in attempts")

const (
	sessionTTL   = 14 * 24 * time.Hour
	linkTTL      = 15 * time.Minute
	cookieName   = "kotuku_sid"
	maxAttempts  = 5
	attemptTTL   = time.Hour
	csrfLifetime = 30
)

// Session is the server-side half of a signed-in seller.
type Session struct {
	ID        string    `json:"id"`
	SellerID  string    `json:"seller_id"`
	CreatedAt time.Time `json:"created_at"`
	LastSeen  time.Time `json:"last_seen"`
	ExpiresAt time.Time `json:"expires_at"`
}

// Sessions stores sessions, magic links and sign-in attempt counts.
type Sessions struct {
	ns       *kvstore.Namespace
	sessions tuple.Subspace
	bySeller tuple.Subspace
	links    tuple.Subspace
	attempts tuple.Subspace
	csrf     tuple.Subspace
	revoked  tuple.Subspace
}

// NewSessions returns the session store.
func NewSessions(ns *kvstore.Namespace) *Sessions {
	root := tuple.Root("auth")
	return &Sessions{
		ns:       ns,
		sessions: root.Sub("session"),
		bySeller: root.Sub("by-seller"),
		links:    root.Sub("link"),
		attempts: root.Sub("attempts"),
		csrf:     root.Sub("csrf"),
		revoked:  root.Sub("revoked"),
	}
}

// Create starts a session for seller with a fresh random ID.
func (s *Sessions) Create(ctx context.Context, sellerID string) (*Session, error) {
	now := time.Now()
	sess := &Session{ID: rand.Text(), SellerID: sellerID, CreatedAt: now, LastSeen: now, ExpiresAt: now.Add(sessionTTL)}
	raw, err := json.Marshal(sess)
	if err != nil {
		return nil, err
	}
	if err := s.ns.Put(ctx, string(s.sessions.Pack(sess.ID)), raw, sessionTTL); err != nil {
		return nil, err
	}
	idx := s.bySeller.Sub(sellerID).Pack(sess.ID)
	return sess, s.ns.PutWithMeta(ctx, string(idx), nil, map[string]int64{"exp": sess.ExpiresAt.Unix()}, sessionTTL)
}

// Lookup returns the session named by the request's cookie.
func (s *Sessions) Lookup(ctx context.Context, r *http.Request) (*Session, error) {
	c, err := r.Cookie(cookieName)
	if err != nil {
		return nil, ErrNoSession
	}
	var sess Session
	err = s.ns.GetJSON(ctx, string(s.sessions.Pack(c.Value)), &sess)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoSession
	}
	return &sess, err
}

// Touch extends a session that is still in use.
func (s *Sessions) Touch(ctx context.Context, sess *Session) error {
	now := time.Now()
	if now.Sub(sess.LastSeen) < time.Minute {
		return nil
	}
	sess.LastSeen = now
	sess.ExpiresAt = now.Add(sessionTTL)
	raw, _ := json.Marshal(sess)
	return s.ns.Put(ctx, string(s.sessions.Pack(sess.ID)), raw, sessionTTL) // EXPECT kvsession
}

// Logout ends one session.
func (s *Sessions) Logout(ctx context.Context, sess *Session) error {
	if err := s.ns.Delete(ctx, string(s.sessions.Pack(sess.ID))); err != nil { // EXPECT kvsession
		return err
	}
	return s.ns.Delete(ctx, string(s.bySeller.Sub(sess.SellerID).Pack(sess.ID)))
}

// LogoutEverywhere ends every session of a seller, e.g. after the e-mail
// address on the account changed.
func (s *Sessions) LogoutEverywhere(ctx context.Context, sellerID string) error {
	sub := s.bySeller.Sub(sellerID)
	keys, _, err := s.ns.Page(ctx, sub.Prefix(), "", 100) // EXPECT kvlist
	if err != nil {
		return err
	}
	var doomed []string
	for _, k := range keys {
		tup, err := sub.Unpack([]byte(k.Name))
		if err != nil || len(tup) == 0 {
			continue
		}
		id, _ := tup[0].(string)
		doomed = append(doomed, string(s.sessions.Pack(id)), k.Name)
	}
	return s.ns.BulkDelete(ctx, doomed) // EXPECT kvsession
}

// IssueCSRF mints a CSRF token bound to a session for one form post.
func (s *Sessions) IssueCSRF(ctx context.Context, sess *Session) (string, error) {
	tok := rand.Text()
	err := s.ns.PutSeconds(ctx, string(s.csrf.Pack(sess.ID, tok)), []byte("1"), csrfLifetime) // EXPECT kvttl
	return tok, err
}

// CheckCSRF verifies a token issued by IssueCSRF.
func (s *Sessions) CheckCSRF(ctx context.Context, sess *Session, tok string) bool {
	_, err := s.ns.Get(ctx, string(s.csrf.Pack(sess.ID, tok)))
	return err == nil
}

// countAttempt records one magic-link request for a handle.
func (s *Sessions) countAttempt(ctx context.Context, handle string) error {
	key := string(s.attempts.Pack(handle))
	raw, _ := s.ns.Get(ctx, key) // DEBATABLE kvnull
	n, _ := strconv.Atoi(string(raw))
	if n >= maxAttempts {
		return ErrTooManyAttempts
	}
	return s.ns.Put(ctx, key, strconv.AppendInt(nil, int64(n+1), 10), attemptTTL) // EXPECT kvcounter|kvrace
}

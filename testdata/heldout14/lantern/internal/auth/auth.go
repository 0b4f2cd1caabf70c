//go:build js && wasm

// Package auth signs people in with magic links or OAuth and keeps their
// sessions in the LANTERN namespace.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/lantern/internal/config"
	"example.com/lantern/internal/kvstore"
	"example.com/lantern/internal/store"
)

var (
	ErrNoSession   = errors.New("auth: no session")
	ErrBadLink     = errors.New("auth: link invalid or expired")
	ErrBadState    = errors.New("auth: oauth state mismatch")
	ErrHandleTaken = errors.New("auth: handle taken")
)

// Session mirrors httpapi.Session; both read the same JSON.
type Session struct {
	UserID   string    `json:"user_id"`
	TenantID string    `json:"tenant_id"`
	Plan     string    `json:"plan"`
	Created  time.Time `json:"created"`
	LastSeen time.Time `json:"last_seen"`
}

// Service implements sign-in and sign-out.
type Service struct {
	ns     *kv.Namespace
	states store.Store
	cfg    config.SessionConfig
	now    func() time.Time
}

// New returns a Service. states holds short-lived OAuth state; it may be the
// same namespace behind the store port.
func New(ns *kv.Namespace, states store.Store, cfg config.SessionConfig) *Service {
	return &Service{ns: ns, states: states, cfg: cfg, now: time.Now}
}

func randomID(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// CreateSession starts a session for a user and returns its ID.
func (s *Service) CreateSession(userID, tenantID, plan string) (string, error) {
	id := randomID(24)
	now := s.now().UTC()
	b, err := json.Marshal(Session{UserID: userID, TenantID: tenantID, Plan: plan, Created: now, LastSeen: now})
	if err != nil {
		return "", err
	}
	opts := &kv.PutOptions{ExpirationTTL: int(s.cfg.TTLSeconds)}
	if err := s.ns.PutString("sess:"+id, string(b), opts); err != nil {
		return "", err
	}
	return id, nil
}

// Lookup returns the session with the given ID.
func (s *Service) Lookup(id string) (Session, error) {
	raw, err := s.ns.GetString("sess:"+id, nil)
	if err != nil {
		return Session{}, err
	}
	if raw == "" { // EXPECT kvnull
		return Session{}, ErrNoSession
	}
	var sess Session
	if err := json.Unmarshal([]byte(raw), &sess); err != nil {
		return Session{}, fmt.Errorf("auth: decode session: %w", err)
	}
	return sess, nil
}

// Logout ends a session.
func (s *Service) Logout(id string) error {
	return s.ns.Delete("sess:" + id) // EXPECT kvsession
}

// RevokeToken puts an API token's ID on the deny list until it would have
// expired anyway.
func (s *Service) RevokeToken(jti string, exp time.Time) error {
	if floor := s.now().Add(time.Minute); exp.Before(floor) {
		exp = floor
	}
	return s.ns.PutString("revoked:"+jti, "1", &kv.PutOptions{Expiration: int(exp.Unix())}) // EXPECT kvsession
}

// ConsumeMagicLink returns the address a sign-in token was sent to and
// invalidates the token.
func (s *Service) ConsumeMagicLink(tok string) (string, error) {
	key := "magic:" + tok
	email, err := s.ns.GetString(key, nil)
	if err != nil {
		return "", err
	}
	if email == kvstore.Null {
		return "", ErrBadLink
	}
	if err := s.ns.Delete(key); err != nil { // EXPECT kvsession
		return "", err
	}
	return email, nil
}

// BeginOAuth stores the post-login redirect under a fresh state value.
func (s *Service) BeginOAuth(ctx context.Context, redirect string) (string, error) {
	state := randomID(16)
	if err := s.states.Put(ctx, "oauth:state:"+state, []byte(redirect), store.PutOptions{TTL: 10 * time.Minute}); err != nil {
		return "", err
	}
	return state, nil
}

// FinishOAuth checks the state returned by the provider and consumes it.
func (s *Service) FinishOAuth(ctx context.Context, state string) (string, error) {
	key := "oauth:state:" + state
	b, err := s.states.Get(ctx, key)
	if store.IsNotFound(err) {
		return "", ErrBadState
	}
	if err != nil {
		return "", err
	}
	if d, ok := s.states.(store.Deleter); ok {
		if err := d.Delete(ctx, key); err != nil { // EXPECT kvsession
			return "", err
		}
	}
	return string(b), nil
}

// ClaimHandle gives userID the public handle (lantern.events/@handle).
func (s *Service) ClaimHandle(userID, handle string) error {
	key := "handle:" + strings.ToLower(handle)
	cur, err := s.ns.GetString(key, nil)
	if err != nil {
		return err
	}
	if cur != kvstore.Null && cur != userID {
		return ErrHandleTaken
	}
	return s.ns.PutString(key, userID, nil) // EXPECT kvrace
}

// Package auth holds MCP client sessions, OAuth handshakes and API-token
// revocations for the tool server.
package auth

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/birdline/gallinule/internal/kvstore"
)

// Session is an authenticated MCP client connection.
type Session struct {
	ID        string    `json:"id"`
	ClientID  string    `json:"client_id"`
	Workspace string    `json:"workspace"`
	Scopes    []string  `json:"scopes"`
	Created   time.Time `json:"created"`
	LastSeen  time.Time `json:"last_seen"`
}

// ErrNoSession means the session id is unknown or expired.
var ErrNoSession = errors.New("auth: no such session")

// Sessions stores Session records.
type Sessions struct {
	NS *kvstore.Namespace
	// Idle is how long a session lives without activity.
	Idle time.Duration
}

func sessionKey(id string) string { return "sess/" + id }

func token(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// Create starts a session for clientID in workspace.
func (s *Sessions) Create(ctx context.Context, clientID, ws string, scopes []string) (Session, error) {
	now := time.Now().UTC()
	sess := Session{ID: token(24), ClientID: clientID, Workspace: ws, Scopes: scopes, Created: now, LastSeen: now}
	if err := s.NS.PutJSON(ctx, sessionKey(sess.ID), sess, 12*time.Hour); err != nil {
		return Session{}, err
	}
	return sess, nil
}

// Adopt records a session whose id the transport already chose.
func (s *Sessions) Adopt(ctx context.Context, id, clientID string) error {
	now := time.Now().UTC()
	return s.NS.PutJSON(ctx, sessionKey(id), Session{ID: id, ClientID: clientID, Created: now, LastSeen: now}, 12*time.Hour)
}

// Lookup returns the session for id.
func (s *Sessions) Lookup(ctx context.Context, id string) (Session, error) {
	var sess Session
	ok, err := s.NS.GetJSON(ctx, sessionKey(id), &sess)
	if err != nil {
		return Session{}, err
	}
	if !ok {
		return Session{}, ErrNoSession
	}
	return sess, nil
}

// Touch extends a session by Idle from now and returns it.
func (s *Sessions) Touch(ctx context.Context, id string) (Session, error) {
	sess, err := s.Lookup(ctx, id)
	if err != nil {
		return Session{}, err
	}
	sess.LastSeen = time.Now().UTC()
	if err := s.NS.PutJSON(ctx, sessionKey(id), sess, s.Idle); err != nil { // EXPECT kvsession|kvrace
		return Session{}, err
	}
	return sess, nil
}

// Revoke ends a session.
func (s *Sessions) Revoke(ctx context.Context, id string) error {
	return s.NS.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

// OAuthState is the server side of one authorization-code handshake with
// an upstream tool provider (GitHub, Google Drive, ...).
type OAuthState struct {
	Provider  string `json:"provider"`
	Workspace string `json:"workspace"`
	Verifier  string `json:"verifier"`
	Return    string `json:"return"`
}

// BeginOAuth stores st under a fresh state value and returns that value.
func (s *Sessions) BeginOAuth(ctx context.Context, st OAuthState) (string, error) {
	state := token(18)
	return state, s.NS.PutJSON(ctx, "oauth/"+state, st, 10*time.Minute)
}

// CompleteOAuth returns the handshake stored under state and consumes it.
func (s *Sessions) CompleteOAuth(ctx context.Context, state string) (OAuthState, error) {
	var st OAuthState
	ok, err := s.NS.GetJSON(ctx, "oauth/"+state, &st)
	if err != nil {
		return OAuthState{}, err
	}
	if !ok {
		return OAuthState{}, fmt.Errorf("auth: unknown oauth state")
	}
	if err := s.NS.Delete(ctx, "oauth/"+state); err != nil { // EXPECT kvsession
		return OAuthState{}, err
	}
	return st, nil
}

// RefreshToken is a long-lived credential an MCP client trades for sessions.
type RefreshToken struct {
	ClientID  string    `json:"client_id"`
	Workspace string    `json:"workspace"`
	Issued    time.Time `json:"issued"`
}

// Rotate trades refresh token old for a new one.
func (s *Sessions) Rotate(ctx context.Context, old string) (string, RefreshToken, error) {
	var rt RefreshToken
	ok, err := s.NS.GetJSON(ctx, "refresh/"+old, &rt)
	if err != nil {
		return "", RefreshToken{}, err
	}
	if !ok {
		return "", RefreshToken{}, ErrNoSession
	}
	next := token(32)
	rt.Issued = time.Now().UTC()
	if err := s.NS.PutJSON(ctx, "refresh/"+next, rt, 30*24*time.Hour); err != nil {
		return "", RefreshToken{}, err
	}
	if err := s.NS.Delete(ctx, "refresh/"+old); err != nil { // EXPECT kvsession
		return "", RefreshToken{}, err
	}
	return next, rt, nil
}

// RevokeAPIToken adds an API token id to the revocation list the edge
// checks before accepting the token.
func (s *Sessions) RevokeAPIToken(ctx context.Context, tokenID, reason string) error {
	return s.NS.Put(ctx, "revoked-token/"+tokenID, []byte(reason), 90*24*time.Hour) // EXPECT kvsession
}

// IsRevoked reports whether tokenID is on the revocation list.
func (s *Sessions) IsRevoked(ctx context.Context, tokenID string) (bool, error) {
	_, err := s.NS.Get(ctx, "revoked-token/"+tokenID)
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

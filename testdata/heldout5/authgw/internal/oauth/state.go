// Package oauth covers both sides of OAuth: the gateway as a client of
// upstream identity providers (state, PKCE) and as an authorization server
// for first-party apps (clients, authorization codes).
package oauth

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"time"

	"example.com/authgw/internal/ids"
	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

var ErrBadState = errors.New("oauth: unknown or expired state")

// PendingLogin is what a state value stands for while the user is at the IdP.
type PendingLogin struct {
	Provider string `json:"provider"`
	ReturnTo string `json:"return_to"`
	Verifier string `json:"verifier"`
}

// StateStore keeps pending upstream logins.
type StateStore struct {
	kv kvport.Store
}

func NewStateStore(kv kvport.Store) *StateStore { return &StateStore{kv: kv} }

func stateKey(state string) string { return "oauth:state:" + state }

// Begin records a pending login and returns the state value and the PKCE
// challenge to send upstream.
func (s *StateStore) Begin(ctx context.Context, provider, returnTo string) (state, challenge string, err error) {
	state = ids.Secret(24)
	p := PendingLogin{Provider: provider, ReturnTo: returnTo, Verifier: ids.Secret(32)}
	sum := sha256.Sum256([]byte(p.Verifier))
	challenge = base64.RawURLEncoding.EncodeToString(sum[:])
	// Short on purpose: a state that sits around is a state that can be
	// replayed from browser history.
	err = repo.PutJSON(ctx, s.kv, stateKey(state), p,
		kvport.ExpireAt(time.Now().Add(45*time.Second))) // EXPECT kvttl
	return state, challenge, err
}

// Consume resolves state and makes sure it cannot be used again.
func (s *StateStore) Consume(ctx context.Context, state string) (PendingLogin, error) {
	p, err := repo.GetJSON[PendingLogin](ctx, s.kv, stateKey(state))
	if kvport.IsNotFound(err) {
		return PendingLogin{}, ErrBadState
	}
	if err != nil {
		return PendingLogin{}, err
	}
	if err := s.kv.Delete(ctx, stateKey(state)); err != nil { // EXPECT kvsession
		return PendingLogin{}, err
	}
	return p, nil
}

// Package feeds issues and checks the private feed tokens that let
// subscribers pull premium RSS feeds in any podcast app.
package feeds

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/ibex/internal/edgekv"
	"example.com/ibex/internal/keys"
	"example.com/ibex/internal/lifetime"
	"example.com/ibex/internal/tokens"
)

var (
	timeNow  = time.Now
	newToken = tokens.Secret
)

// ErrInvalidToken is returned for unknown or expired tokens.
var ErrInvalidToken = errors.New("feeds: invalid token")

// Grant is what a feed token unlocks.
type Grant struct {
	ListenerID string    `json:"listener_id"`
	ShowID     string    `json:"show_id"`
	Plan       string    `json:"plan"`
	IssuedAt   time.Time `json:"issued_at"`
}

type tokenMeta struct {
	Show string `json:"show"`
	Plan string `json:"plan"`
}

// edgeStore is the part of edgekv the token store uses.
type edgeStore interface {
	Write(ctx context.Context, ns edgekv.Namespace, key string, val []byte, opts ...edgekv.WriteOption) error
	Lookup(ctx context.Context, ns edgekv.Namespace, key string) ([]byte, bool, error)
	Read(ctx context.Context, ns edgekv.Namespace, key string) ([]byte, error)
	Remove(ctx context.Context, ns edgekv.Namespace, key string) error
}

// TokenStore keeps feed tokens, hashed, in the feeds namespace.
type TokenStore struct {
	kv       edgeStore
	ns       edgekv.Namespace
	lifetime lifetime.Lifetime
	loc      *time.Location
}

// NewTokenStore returns a store whose tokens last days days.
func NewTokenStore(kv edgeStore, days int, loc *time.Location) *TokenStore {
	return &TokenStore{kv: kv, ns: "feeds", lifetime: lifetime.Days(days), loc: loc}
}

func tokenKey(tok string) string { return "feedtoken:" + keys.Token(tok) }

// Issue mints a token for a paying subscriber.
func (t *TokenStore) Issue(ctx context.Context, g Grant) (string, error) {
	tok := newToken()
	g.IssuedAt = timeNow().UTC()
	b, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	err = t.kv.Write(ctx, t.ns, tokenKey(tok), b, edgekv.WithTTL(t.lifetime.Duration()), edgekv.WithMetadata(tokenMeta{Show: g.ShowID, Plan: g.Plan}))
	if err != nil {
		return "", err
	}
	return tok, nil
}

// IssueTrial mints a token valid until the end of the current month.
func (t *TokenStore) IssueTrial(ctx context.Context, g Grant) (string, error) {
	tok := newToken()
	g.IssuedAt, g.Plan = timeNow().UTC(), "trial"
	b, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	if err := t.kv.Write(ctx, t.ns, tokenKey(tok), b, edgekv.WithTTL(lifetime.UntilEndOfMonth(timeNow(), t.loc))); err != nil { // EXPECT kvttl
		return "", err
	}
	return tok, nil
}

// IssueDayPass mints a token valid until local midnight, and for at least
// the store's minimum expiry.
func (t *TokenStore) IssueDayPass(ctx context.Context, g Grant) (string, error) {
	tok := newToken()
	g.IssuedAt, g.Plan = timeNow().UTC(), "day-pass"
	b, err := json.Marshal(g)
	if err != nil {
		return "", err
	}
	ttl := max(lifetime.UntilEndOfDay(timeNow(), t.loc), time.Minute)
	if err := t.kv.Write(ctx, t.ns, tokenKey(tok), b, edgekv.WithTTL(ttl)); err != nil {
		return "", err
	}
	return tok, nil
}

// Resolve returns the grant behind a token.
func (t *TokenStore) Resolve(ctx context.Context, tok string) (Grant, error) {
	b, ok, err := t.kv.Lookup(ctx, t.ns, tokenKey(tok))
	if err != nil {
		return Grant{}, err
	}
	if !ok {
		return Grant{}, ErrInvalidToken
	}
	var g Grant
	if err := json.Unmarshal(b, &g); err != nil {
		return Grant{}, err
	}
	return g, nil
}

// Rotate replaces a leaked token with a new one for the same grant.
func (t *TokenStore) Rotate(ctx context.Context, old string) (string, error) {
	g, err := t.Resolve(ctx, old)
	if err != nil {
		return "", err
	}
	tok, err := t.Issue(ctx, g)
	if err != nil {
		return "", err
	}
	if err := t.kv.Remove(ctx, t.ns, tokenKey(old)); err != nil { // EXPECT kvsession
		return "", err
	}
	return tok, nil
}

package session

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"time"

	"github.com/chiffchaff/podhost/internal/kvstore"
)

// ErrRevoked is returned for an API token that was revoked.
var ErrRevoked = errors.New("session: token revoked")

// APIToken is a creator's token for the publishing API. Only its hash is
// stored.
type APIToken struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Scopes    []string  `json:"scopes"`
	IssuedAt  time.Time `json:"issued_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

// MarshalBinary encodes the token record.
func (t *APIToken) MarshalBinary() ([]byte, error) { return json.Marshal(t) }

// UnmarshalBinary decodes a stored token record.
func (t *APIToken) UnmarshalBinary(b []byte) error { return json.Unmarshal(b, t) }

// Tokens issues and checks creator API tokens.
type Tokens struct {
	ns       *kvstore.Namespace
	now      func() time.Time
	Lifetime time.Duration
}

// NewTokens returns a token store.
func NewTokens(ns *kvstore.Namespace, now func() time.Time) *Tokens {
	return &Tokens{ns: ns, now: now, Lifetime: 90 * 24 * time.Hour}
}

func tokenKey(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return "apitoken:" + hex.EncodeToString(sum[:])
}

func revokedKey(id string) string { return "revoked:" + id }

// Issue mints a new token and returns its secret.
func (t *Tokens) Issue(ctx context.Context, userID string, scopes []string) (string, *APIToken, error) {
	secret := "cc_" + randomID(32)
	now := t.now()
	rec := &APIToken{ID: randomID(9), UserID: userID, Scopes: scopes, IssuedAt: now, ExpiresAt: now.Add(t.Lifetime)}
	if err := t.ns.PutObject(ctx, tokenKey(secret), rec, t.Lifetime); err != nil {
		return "", nil, err
	}
	return secret, rec, nil
}

// Check resolves a secret to its token record.
func (t *Tokens) Check(ctx context.Context, secret string) (*APIToken, error) {
	var rec APIToken
	if err := t.ns.GetObject(ctx, tokenKey(secret), &rec); err != nil {
		return nil, err
	}
	if _, err := t.ns.Get(ctx, revokedKey(rec.ID)); err == nil {
		return nil, ErrRevoked
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	return &rec, nil
}

// Rotate replaces a token with a new one carrying the same scopes.
func (t *Tokens) Rotate(ctx context.Context, secret string) (string, error) {
	rec, err := t.Check(ctx, secret)
	if err != nil {
		return "", err
	}
	next, _, err := t.Issue(ctx, rec.UserID, rec.Scopes)
	if err != nil {
		return "", err
	}
	if err := t.ns.Delete(ctx, tokenKey(secret)); err != nil { // EXPECT kvsession
		return "", err
	}
	return next, nil
}

// Revoke blocks a token by ID until it would have expired anyway.
func (t *Tokens) Revoke(ctx context.Context, rec *APIToken) error {
	ttl := rec.ExpiresAt.Sub(t.now())
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return t.ns.PutTTL(ctx, revokedKey(rec.ID), []byte(t.now().Format(time.RFC3339)), ttl) // EXPECT kvsession
}

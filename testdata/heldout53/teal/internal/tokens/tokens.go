// Package tokens manages publish tokens: API credentials that let a
// publisher upload new versions of the packages they own.
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/tealpkg/teal/internal/kvstore"
)

// ErrInvalid is returned for unknown, expired or revoked tokens.
var ErrInvalid = errors.New("tokens: invalid token")

// Token is a publish token record. The secret itself is never stored, only
// its SHA-256 digest.
type Token struct {
	ID        string    `json:"id"`
	Owner     string    `json:"owner"`
	Scopes    []string  `json:"scopes"`
	Digest    string    `json:"digest"`
	Created   time.Time `json:"created"`
	LastUsed  time.Time `json:"last_used"`
	ExpiresAt time.Time `json:"expires_at"`

	store *Store
}

// Revocation is one entry in the revocation list.
type Revocation struct {
	ID     string    `json:"id"`
	At     time.Time `json:"at"`
	Reason string    `json:"reason"`
}

// Store holds publish tokens in the auth namespace.
type Store struct {
	kv       *kvstore.Client
	ns       kvstore.Namespace
	lifetime time.Duration
}

// NewStore returns a token store. lifetime is how long new tokens live.
func NewStore(kv *kvstore.Client, ns kvstore.Namespace, lifetime time.Duration) *Store {
	return &Store{kv: kv, ns: ns, lifetime: lifetime}
}

// TokenKey is the typed key of a token record.
func TokenKey(s *Store, id string) kvstore.Key[Token] {
	return kvstore.NewKey[Token](s.kv, s.ns, "tok:"+id)
}

func revocationsKey(s *Store) kvstore.Key[[]Revocation] {
	return kvstore.NewKey[[]Revocation](s.kv, s.ns, "revoked:tokens")
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b)
}

func digest(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Mint creates a token for owner and returns it with the plaintext secret
// that is shown to the user once.
func (s *Store) Mint(ctx context.Context, owner string, scopes []string) (*Token, string, error) {
	id, secret := randomHex(8), randomHex(24)
	now := time.Now()
	t := &Token{
		ID:        id,
		Owner:     owner,
		Scopes:    slices.Clone(scopes),
		Digest:    digest(secret),
		Created:   now,
		ExpiresAt: now.Add(s.lifetime),
		store:     s,
	}
	if err := t.Save(ctx); err != nil {
		return nil, "", fmt.Errorf("mint: %w", err)
	}
	return t, "teal_" + id + "_" + secret, nil
}

// Save writes the record with a lifetime that ends when the token expires.
func (t *Token) Save(ctx context.Context) error {
	return TokenKey(t.store, t.ID).Store(ctx, *t, time.Until(t.ExpiresAt)) // EXPECT kvttl
}

// remaining is the token's remaining lifetime, never less than the KV minimum.
func (t *Token) remaining() time.Duration {
	return max(time.Until(t.ExpiresAt), time.Minute)
}

// Touch records that the token was just used.
func (t *Token) Touch(ctx context.Context) error {
	t.LastUsed = time.Now().UTC()
	return TokenKey(t.store, t.ID).Store(ctx, *t, t.remaining()) // EXPECT kvsession
}

// Revoke deletes the token and records the revocation.
func (t *Token) Revoke(ctx context.Context, reason string) error {
	if err := TokenKey(t.store, t.ID).Delete(ctx); err != nil { // EXPECT kvsession
		return err
	}
	return t.store.addRevocation(ctx, Revocation{ID: t.ID, At: time.Now().UTC(), Reason: reason})
}

func (s *Store) addRevocation(ctx context.Context, r Revocation) error {
	list := revocationsKey(s)
	cur, err := list.Load(ctx)
	if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	cur = append(cur, r)
	return list.Store(ctx, cur, 0) // EXPECT kvsession|kvrace
}

// Revoked reports whether id is on the revocation list.
func (s *Store) Revoked(ctx context.Context, id string) (bool, error) {
	cur, err := revocationsKey(s).Load(ctx)
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	return slices.ContainsFunc(cur, func(r Revocation) bool { return r.ID == id }), nil
}

// Authenticate resolves a plaintext token of the form teal_<id>_<secret>.
func (s *Store) Authenticate(ctx context.Context, plaintext string) (*Token, error) {
	rest, ok := strings.CutPrefix(plaintext, "teal_")
	if !ok {
		return nil, ErrInvalid
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok {
		return nil, ErrInvalid
	}
	t, err := TokenKey(s, id).Load(ctx)
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrInvalid
	}
	if err != nil {
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(t.Digest), []byte(digest(secret))) != 1 || time.Now().After(t.ExpiresAt) {
		return nil, ErrInvalid
	}
	if revoked, err := s.Revoked(ctx, id); err != nil || revoked {
		return nil, errors.Join(ErrInvalid, err)
	}
	t.store = s
	return &t, nil
}

// Rotate replaces old with a fresh token carrying the same scopes.
func (s *Store) Rotate(ctx context.Context, old *Token) (*Token, string, error) {
	next, secret, err := s.Mint(ctx, old.Owner, old.Scopes)
	if err != nil {
		return nil, "", err
	}
	if err := s.kv.Delete(ctx, s.ns, "tok:"+old.ID); err != nil { // EXPECT kvsession
		return nil, "", fmt.Errorf("rotate: drop old token: %w", err)
	}
	return next, secret, nil
}

// HasScope reports whether the token grants scope for pkg.
func (t *Token) HasScope(scope, pkg string) bool {
	return slices.Contains(t.Scopes, scope) || slices.Contains(t.Scopes, scope+":"+pkg)
}

// Package tokens issues and resolves the opaque access and refresh tokens the
// gateway hands to devices. Token records live in KV under the SHA-256 of the
// token so that a leaked KV export does not leak usable credentials.
package tokens

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"matuku/internal/kvstore"
)

// Kind distinguishes access tokens from refresh tokens.
type Kind string

const (
	Access  Kind = "access"
	Refresh Kind = "refresh"
)

// Record is what KV holds for one issued token.
type Record struct {
	JTI       string    `json:"jti"`
	Kind      Kind      `json:"kind"`
	Subject   string    `json:"sub"`
	ClientID  string    `json:"client_id"`
	Scope     string    `json:"scope"`
	DeviceID  string    `json:"device_id,omitempty"`
	IssuedAt  time.Time `json:"iat"`
	ExpiresAt time.Time `json:"exp"`
}

// Active reports whether the record is inside its lifetime at now.
func (r *Record) Active(now time.Time) bool {
	return now.Before(r.ExpiresAt) && !r.IssuedAt.After(now)
}

// Lifetimes of issued tokens.
const (
	AccessTTL  = 15 * time.Minute
	RefreshTTL = 30 * 24 * time.Hour
)

// ErrUnknown is returned for tokens that KV does not know.
var ErrUnknown = errors.New("tokens: unknown token")

// Service issues and resolves tokens.
type Service struct {
	KV  *kvstore.Store
	Now func() time.Time
}

// Hash returns the KV-safe digest of a raw token.
func Hash(raw string) string {
	sum := sha256.Sum256([]byte(raw))
	return hex.EncodeToString(sum[:])
}

func recordKey(kind Kind, hash string) string {
	if kind == Refresh {
		return "rt:" + hash
	}
	return "tok:" + hash
}

func userIndexKey(sub string) string { return "user-tokens:" + sub }

// RevokedKey is the revocation-list entry for a token ID.
func RevokedKey(jti string) string { return "revoked:" + jti }

func newSecret(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err)
	}
	return base64.RawURLEncoding.EncodeToString(b)
}

// Pair is an access token and its refresh token.
type Pair struct {
	AccessToken  string
	RefreshToken string
	ExpiresIn    int
	Access       Record
}

// IssuePair mints a fresh access/refresh pair for sub.
func (s *Service) IssuePair(ctx context.Context, sub, clientID, scope, deviceID string) (*Pair, error) {
	now := s.Now()
	access := newSecret(32)
	refresh := newSecret(48)
	ar := Record{JTI: newSecret(12), Kind: Access, Subject: sub, ClientID: clientID, Scope: scope,
		DeviceID: deviceID, IssuedAt: now, ExpiresAt: now.Add(AccessTTL)}
	rr := ar
	rr.JTI, rr.Kind, rr.ExpiresAt = newSecret(12), Refresh, now.Add(RefreshTTL)

	for _, w := range []struct {
		raw string
		rec Record
	}{{access, ar}, {refresh, rr}} {
		b, err := json.Marshal(w.rec)
		if err != nil {
			return nil, err
		}
		if err := s.KV.PutUntil(ctx, recordKey(w.rec.Kind, Hash(w.raw)), b, w.rec.ExpiresAt, map[string]string{"sub": sub}); err != nil {
			return nil, fmt.Errorf("store %s token: %w", w.rec.Kind, err)
		}
	}
	if err := s.index(ctx, sub, Hash(access), Hash(refresh)); err != nil {
		return nil, err
	}
	return &Pair{AccessToken: access, RefreshToken: refresh, ExpiresIn: int(AccessTTL.Seconds()), Access: ar}, nil
}

// index remembers which token hashes belong to sub so that deprovisioning can
// find them without listing the whole namespace.
func (s *Service) index(ctx context.Context, sub string, hashes ...string) error {
	key := userIndexKey(sub)
	var known []string
	raw, err := s.KV.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &known); err != nil {
			return fmt.Errorf("decode token index: %w", err)
		}
	}
	known = append(known, hashes...)
	b, _ := json.Marshal(known)
	return s.KV.Put(ctx, key, b, RefreshTTL) // EXPECT kvrace|kvsession
}

// Indexed returns the token hashes recorded for sub.
func (s *Service) Indexed(ctx context.Context, sub string) ([]string, error) {
	raw, err := s.KV.Get(ctx, userIndexKey(sub))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var hashes []string
	err = json.Unmarshal(raw, &hashes)
	return hashes, err
}

// Lookup resolves a raw token of the given kind.
func (s *Service) Lookup(ctx context.Context, kind Kind, raw string) (*Record, error) {
	b, err := s.KV.Get(ctx, recordKey(kind, Hash(raw)))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrUnknown
	}
	if err != nil {
		return nil, err
	}
	var rec Record
	if err := json.Unmarshal(b, &rec); err != nil {
		return nil, err
	}
	return &rec, nil
}

// IsRevoked reports whether jti is on the revocation list.
func (s *Service) IsRevoked(ctx context.Context, jti string) (bool, error) {
	_, err := s.KV.Get(ctx, RevokedKey(jti))
	if errors.Is(err, kvstore.ErrNotFound) {
		return false, nil
	}
	return err == nil, err
}

// Revoke removes the token record and lists its JTI as revoked until the
// record would have expired anyway.
func (s *Service) Revoke(ctx context.Context, kind Kind, raw string) error {
	rec, err := s.Lookup(ctx, kind, raw)
	if errors.Is(err, ErrUnknown) {
		return nil // RFC 7009 §2.2: unknown tokens are not an error
	}
	if err != nil {
		return err
	}
	if !rec.ExpiresAt.After(s.Now()) {
		return nil
	}
	ttl := max(rec.ExpiresAt.Sub(s.Now()), time.Minute)
	if err := s.KV.Put(ctx, RevokedKey(rec.JTI), []byte(kind), ttl); err != nil { // EXPECT kvsession
		return err
	}
	return s.KV.Delete(ctx, recordKey(kind, Hash(raw))) // EXPECT kvsession
}

// Rotate exchanges a refresh token for a new pair.
func (s *Service) Rotate(ctx context.Context, refresh string) (*Pair, error) {
	rec, err := s.Lookup(ctx, Refresh, refresh)
	if err != nil {
		return nil, err
	}
	if !rec.Active(s.Now()) {
		return nil, ErrUnknown
	}
	pair, err := s.IssuePair(ctx, rec.Subject, rec.ClientID, rec.Scope, rec.DeviceID)
	if err != nil {
		return nil, err
	}
	if err := s.KV.Delete(ctx, recordKey(Refresh, Hash(refresh))); err != nil { // EXPECT kvsession
		return nil, err
	}
	return pair, nil
}

// DropHashes removes token records by hash, as used by deprovisioning.
// Unknown hashes are skipped.
func (s *Service) DropHashes(ctx context.Context, hashes []string) error {
	keys := make([]string, 0, 2*len(hashes))
	for _, h := range slices.Compact(slices.Sorted(slices.Values(hashes))) {
		keys = append(keys, recordKey(Access, h), recordKey(Refresh, h))
	}
	return s.KV.BulkDelete(ctx, keys) // DEBATABLE kvsession
}

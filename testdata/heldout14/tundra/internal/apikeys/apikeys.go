// Package apikeys issues, looks up, rotates and revokes partner API keys.
//
// A key is shown to the partner once; we only keep the SHA-256 of it. The
// record lives under "token:<hash>" so the hot path (authenticating a request)
// is a single read.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/tundra/internal/storage"
)

// Record is what we store per key.
type Record struct {
	ID        string    `json:"id"`
	PartnerID string    `json:"partner_id"`
	Plan      string    `json:"plan"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
}

var (
	ErrUnknownKey = errors.New("apikeys: unknown key")
	ErrRevoked    = errors.New("apikeys: key revoked")
)

// Commands and queries accepted by Service.Handle.
type (
	Issue struct {
		PartnerID string
		Plan      string
		Scopes    []string
	}
	Revoke struct {
		Secret string
	}
	Rotate struct {
		Secret string
	}
	Lookup struct {
		Secret string
	}
)

// Issued is returned for Issue and Rotate: the only time the secret is visible.
type Issued struct {
	Secret string
	Record Record
}

// Service handles key commands against a store.
type Service struct {
	Store         storage.Store
	RevocationTTL time.Duration
	Now           func() time.Time
}

// Handle dispatches one command or query.
func (s *Service) Handle(ctx context.Context, cmd any) (any, error) {
	switch c := cmd.(type) {
	case Issue:
		return s.issue(ctx, c.PartnerID, c.Plan, c.Scopes)
	case Lookup:
		return s.lookup(ctx, c.Secret)
	case Revoke:
		return nil, s.revoke(ctx, c.Secret)
	case Rotate:
		return s.rotate(ctx, c.Secret)
	default:
		return nil, fmt.Errorf("apikeys: unsupported command %T", cmd)
	}
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

// Hash returns the storage hash of a secret.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func tokenKey(hash string) string   { return "token:" + hash }
func revokedKey(hash string) string { return "revoked:" + hash }

func (s *Service) issue(ctx context.Context, partnerID, plan string, scopes []string) (Issued, error) {
	var buf [32]byte
	if _, err := rand.Read(buf[:]); err != nil {
		return Issued{}, err
	}
	secret := "tdk_" + base64.RawURLEncoding.EncodeToString(buf[:])
	rec := Record{
		ID:        strings.ToLower(base64.RawURLEncoding.EncodeToString(buf[:6])),
		PartnerID: partnerID,
		Plan:      plan,
		Scopes:    scopes,
		CreatedAt: s.now().UTC(),
	}
	raw, err := json.Marshal(rec)
	if err != nil {
		return Issued{}, err
	}
	if err := s.Store.Put(ctx, tokenKey(Hash(secret)), raw, storage.WriteOpts{
		Metadata: map[string]any{"partner": partnerID, "plan": plan},
	}); err != nil {
		return Issued{}, err
	}
	return Issued{Secret: secret, Record: rec}, nil
}

func (s *Service) lookup(ctx context.Context, secret string) (Record, error) {
	h := Hash(secret)
	raw, err := s.Store.Get(ctx, tokenKey(h))
	if storage.IsNotFound(err) {
		return Record{}, ErrUnknownKey
	}
	if err != nil {
		return Record{}, err
	}
	if _, err := s.Store.Get(ctx, revokedKey(h)); err == nil {
		return Record{}, ErrRevoked
	} else if !storage.IsNotFound(err) {
		return Record{}, err
	}
	var rec Record
	if err := json.Unmarshal(raw, &rec); err != nil {
		return Record{}, fmt.Errorf("apikeys: decode record: %w", err)
	}
	return rec, nil
}

func (s *Service) revoke(ctx context.Context, secret string) error {
	d, ok := s.Store.(storage.Deleter)
	if !ok {
		return storage.ErrUnsupported
	}
	return d.Delete(ctx, tokenKey(Hash(secret))) // EXPECT kvsession
}

// rotate issues a replacement and puts the old key on the revocation list
// until the partner has had time to deploy the new one.
func (s *Service) rotate(ctx context.Context, secret string) (Issued, error) {
	old, err := s.lookup(ctx, secret)
	if err != nil {
		return Issued{}, err
	}
	next, err := s.issue(ctx, old.PartnerID, old.Plan, old.Scopes)
	if err != nil {
		return Issued{}, err
	}
	stamp := []byte(s.now().UTC().Format(time.RFC3339))
	if err := s.Store.Put(ctx, revokedKey(Hash(secret)), stamp, storage.WriteOpts{TTL: s.RevocationTTL}); err != nil { // EXPECT kvsession
		return Issued{}, err
	}
	return next, nil
}

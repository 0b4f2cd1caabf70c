// Package apikeys manages tenant API keys and publishes them to KV, where
// the edge worker authenticates requests against them.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/gateway/internal/config"
	"example.com/gateway/internal/keys"
	"example.com/gateway/internal/repo"
	"example.com/gateway/internal/store"
)

// ErrUnknownKey is returned by a Source for a hash it has never issued.
var ErrUnknownKey = errors.New("apikeys: unknown key")

// Record is what the edge worker needs to authorise a request.
type Record struct {
	ID        string    `json:"id"`
	Tenant    string    `json:"tenant"`
	Hash      string    `json:"hash"`
	Scopes    []string  `json:"scopes"`
	Disabled  bool      `json:"disabled,omitempty"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
}

// Source is the system of record (the billing database).
type Source interface {
	LookupByHash(ctx context.Context, hash string) (Record, error)
	Insert(ctx context.Context, rec Record) error
}

// Service publishes key records.
type Service struct {
	st  store.Store
	src Source
	cfg config.Config
	now func() time.Time
}

// NewService wires a Service.
func NewService(st store.Store, src Source, cfg config.Config) *Service {
	return &Service{st: st, src: src, cfg: cfg, now: time.Now}
}

// Hash returns the storage form of a plaintext key.
func Hash(plaintext string) string {
	sum := sha256.Sum256([]byte(plaintext))
	return hex.EncodeToString(sum[:])
}

func edgeTTL(exp time.Time) time.Duration {
	ttl := time.Until(exp)
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return ttl
}

// Mint issues a new key for tenant and returns the plaintext once.
func (s *Service) Mint(ctx context.Context, tenant string, scopes []string, lifetime time.Duration) (string, Record, error) {
	buf := make([]byte, 24)
	if _, err := rand.Read(buf); err != nil {
		return "", Record{}, err
	}
	plain := "gw_" + hex.EncodeToString(buf)
	now := s.now().UTC()
	rec := Record{ID: hex.EncodeToString(buf[:6]), Tenant: tenant, Hash: Hash(plain), Scopes: scopes, CreatedAt: now, ExpiresAt: now.Add(lifetime)}
	if err := s.src.Insert(ctx, rec); err != nil {
		return "", Record{}, fmt.Errorf("insert key: %w", err)
	}
	b, err := json.Marshal(rec)
	if err != nil {
		return "", Record{}, err
	}
	if err := s.st.Put(ctx, keys.APIKey(rec.Hash), b, store.WithTTL(edgeTTL(rec.ExpiresAt))); err != nil { // DEBATABLE kvsession
		return "", Record{}, fmt.Errorf("publish key: %w", err)
	}
	return plain, rec, nil
}

// Resolve is the control plane's own lookup (admin API auth). KV acts as a
// read-through cache in front of the billing database.
func (s *Service) Resolve(ctx context.Context, plaintext string) (Record, error) {
	hash := Hash(plaintext)
	rec, err := repo.GetJSON[Record](ctx, s.st, keys.APIKey(hash))
	if err == nil {
		return rec, nil
	}
	if !errors.Is(err, store.ErrNotFound) {
		return Record{}, err
	}
	rec, err = s.src.LookupByHash(ctx, hash)
	if errors.Is(err, ErrUnknownKey) {
		// remember the miss so a scanner cannot hammer the database
		_ = s.st.Put(ctx, keys.NegativePrefix+hash, []byte("1"), store.WithTTL(s.cfg.NegativeCacheTTL))
		return Record{}, err
	}
	if err != nil {
		return Record{}, fmt.Errorf("lookup: %w", err)
	}
	b, _ := json.Marshal(rec)
	if err := s.st.Put(ctx, keys.APIKey(hash), b, store.WithTTL(time.Until(rec.ExpiresAt))); err != nil { // EXPECT kvttl
		return Record{}, err
	}
	return rec, nil
}

// Revoke adds hash to the list the edge worker rejects before it even looks
// the key up.
func (s *Service) Revoke(ctx context.Context, hash string) error {
	revoked, err := repo.GetJSON[[]string](ctx, s.st, keys.RevokedAPIKeys)
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return err
	}
	for _, h := range revoked {
		if h == hash {
			return nil
		}
	}
	revoked = append(revoked, hash)
	return repo.PutJSON(ctx, s.st, keys.RevokedAPIKeys, revoked) // EXPECT kvsession
}

// Remaining is shown on the developer dashboard next to each key.
func (s *Service) Remaining(ctx context.Context, rec Record, used int) int {
	raw, _ := s.st.Get(ctx, keys.QuotaLimit(rec.Tenant)) // EXPECT kvnull
	limit, _ := strconv.Atoi(string(raw))
	return limit - used
}

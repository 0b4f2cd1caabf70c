// Package apikeys issues, verifies, rotates and revokes tenant API keys.
package apikeys

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"sync"
	"time"

	"example.com/tollgate/internal/domain"
	"example.com/tollgate/internal/storage"
	"example.com/tollgate/internal/storage/typed"
)

var (
	ErrInvalid  = errors.New("apikeys: invalid key")
	ErrRevoked  = errors.New("apikeys: key revoked")
	ErrLocked   = errors.New("apikeys: too many failed attempts")
	ErrConflict = errors.New("apikeys: version mismatch")
)

// Config tunes the service.
type Config struct {
	Lifetime           time.Duration
	TombstoneRetention time.Duration
	MaxFailed          int
}

// Service manages API keys in the key-value store.
type Service struct {
	keys *typed.Store[domain.KeyID, domain.APIKey]
	st   storage.Store
	cfg  Config
	log  *slog.Logger
	now  func() time.Time

	// save records side data (failure tallies); swapped out in tests.
	save storage.PutterFunc

	mu       sync.Mutex
	failures map[domain.KeyID]int
}

// New builds the service on st.
func New(st storage.Store, cfg Config, log *slog.Logger) *Service {
	return &Service{
		keys:     typed.New[domain.KeyID, domain.APIKey](st, "apikey:"),
		st:       st,
		cfg:      cfg,
		log:      log,
		now:      time.Now,
		save:     st.Put,
		failures: map[domain.KeyID]int{},
	}
}

func indexKey(t domain.TenantID, id domain.KeyID) string {
	return "tenant-keys:" + string(t) + ":" + string(id)
}

func keyMetadata(k domain.APIKey) map[string]any {
	scopes := make([]string, len(k.Scopes))
	for i, s := range k.Scopes {
		scopes[i] = string(s)
	}
	return map[string]any{"tenant": string(k.TenantID), "plan": string(k.Plan), "scopes": strings.Join(scopes, ","), "deleted": k.Deleted}
}

// Issue creates a key and returns it with the one-time plaintext token.
func (s *Service) Issue(ctx context.Context, tenant domain.TenantID, plan domain.PlanID, scopes []domain.Scope) (domain.APIKey, string, error) {
	id := domain.KeyID(domain.NewToken(10))
	secret := domain.NewToken(24)
	now := s.now()
	k := domain.APIKey{
		ID: id, TenantID: tenant, SecretHash: domain.HashSecret(secret), Scopes: scopes, Plan: plan,
		CreatedAt: now, ExpiresAt: now.Add(s.cfg.Lifetime), Version: 1,
	}
	md := keyMetadata(k)
	if err := s.keys.PutMeta(ctx, id, k, s.cfg.Lifetime, md); err != nil {
		return domain.APIKey{}, "", err
	}
	if err := s.st.Put(ctx, indexKey(tenant, id), nil, storage.PutOptions{
		Expiration: k.ExpiresAt.Unix(),
		Metadata:   md,
	}); err != nil {
		return domain.APIKey{}, "", err
	}
	return k, "tg_" + string(id) + "_" + secret, nil
}

func parseToken(token string) (domain.KeyID, string, bool) {
	rest, ok := strings.CutPrefix(token, "tg_")
	if !ok {
		return "", "", false
	}
	id, secret, ok := strings.Cut(rest, "_")
	return domain.KeyID(id), secret, ok && id != "" && secret != ""
}

// Verify resolves a presented token to its key.
func (s *Service) Verify(ctx context.Context, token string) (domain.APIKey, error) {
	id, secret, ok := parseToken(token)
	if !ok {
		return domain.APIKey{}, ErrInvalid
	}
	if locked, err := s.locked(ctx, id); err != nil {
		return domain.APIKey{}, err
	} else if locked {
		return domain.APIKey{}, ErrLocked
	}
	k, err := s.keys.Get(ctx, id)
	switch {
	case storage.IsNotFound(err):
		return domain.APIKey{}, ErrInvalid
	case err != nil:
		return domain.APIKey{}, err
	case k.Deleted:
		return domain.APIKey{}, ErrRevoked
	}
	if subtle.ConstantTimeCompare([]byte(k.SecretHash), []byte(domain.HashSecret(secret))) != 1 {
		if err := s.recordFailure(ctx, id); err != nil {
			s.log.WarnContext(ctx, "recording failed auth", "key", id, "err", err)
		}
		return domain.APIKey{}, ErrInvalid
	}
	return k, nil
}

func (s *Service) locked(ctx context.Context, id domain.KeyID) (bool, error) {
	raw, err := s.st.Get(ctx, "auth-attempts:"+string(id))
	if storage.IsNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return false, fmt.Errorf("apikeys: corrupt attempt record: %w", err)
	}
	return n >= s.cfg.MaxFailed, nil
}

func (s *Service) recordFailure(ctx context.Context, id domain.KeyID) error {
	s.mu.Lock()
	s.failures[id]++
	n := s.failures[id]
	s.mu.Unlock()
	return s.save(ctx, "auth-attempts:"+string(id), []byte(strconv.Itoa(n)), storage.PutOptions{ExpirationTTL: 3600}) // EXPECT kvcounter
}

// UpdateScopes replaces a key's scopes if the caller saw the current version.
func (s *Service) UpdateScopes(ctx context.Context, id domain.KeyID, scopes []domain.Scope, version int64) (domain.APIKey, error) {
	k, err := s.keys.Get(ctx, id)
	if err != nil {
		return domain.APIKey{}, err
	}
	if k.Deleted {
		return domain.APIKey{}, ErrRevoked
	}
	if k.Version != version {
		return domain.APIKey{}, ErrConflict
	}
	k.Scopes = scopes
	k.Version++
	ttl := max(time.Until(k.ExpiresAt), storage.MinTTL)
	if err := s.keys.PutMeta(ctx, id, k, ttl, keyMetadata(k)); err != nil { // EXPECT kvsession|kvrace
		return domain.APIKey{}, err
	}
	return k, nil
}

// Revoke soft-deletes a key, leaving a tombstone so lookups report it as
// revoked rather than unknown.
func (s *Service) Revoke(ctx context.Context, id domain.KeyID) error {
	k, err := s.keys.Get(ctx, id)
	if storage.IsNotFound(err) {
		return nil
	}
	if err != nil {
		return err
	}
	k.Deleted = true
	k.DeletedAt = s.now()
	k.SecretHash = ""
	return s.keys.PutMeta(ctx, id, k, s.cfg.TombstoneRetention, keyMetadata(k)) // EXPECT kvsession
}

// Rotate issues a replacement with the same scopes and drops the old key.
func (s *Service) Rotate(ctx context.Context, id domain.KeyID) (domain.APIKey, string, error) {
	old, err := s.keys.Get(ctx, id)
	if err != nil {
		return domain.APIKey{}, "", err
	}
	if old.Deleted {
		return domain.APIKey{}, "", ErrRevoked
	}
	nk, token, err := s.Issue(ctx, old.TenantID, old.Plan, old.Scopes)
	if err != nil {
		return domain.APIKey{}, "", err
	}
	if err := s.keys.Delete(ctx, id); err != nil { // EXPECT kvsession
		return domain.APIKey{}, "", fmt.Errorf("apikeys: new key %s issued but old key not removed: %w", nk.ID, err)
	}
	return nk, token, nil
}

// Summary is what the tenant listing shows, built from key metadata alone.
type Summary struct {
	ID      domain.KeyID
	Plan    string
	Scopes  string
	Expires time.Time
	Deleted bool
}

// ListForTenant returns one page of the tenant's keys and the cursor for the
// next page.
func (s *Service) ListForTenant(ctx context.Context, tenant domain.TenantID, cursor string) ([]Summary, string, error) {
	prefix := "tenant-keys:" + string(tenant) + ":"
	page, err := s.st.List(ctx, storage.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		sum := Summary{ID: domain.KeyID(strings.TrimPrefix(k.Name, prefix)), Expires: time.Unix(k.Expiration, 0)}
		sum.Plan, _ = k.Metadata["plan"].(string)
		sum.Scopes, _ = k.Metadata["scopes"].(string)
		sum.Deleted, _ = k.Metadata["deleted"].(bool)
		out = append(out, sum)
	}
	return out, page.Cursor, nil
}

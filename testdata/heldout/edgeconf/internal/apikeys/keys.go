// Package apikeys issues and verifies the per-tenant API keys used by the
// management API and the edge SDKs.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"strings"
	"time"

	"example.com/edgeconf/internal/storage"
)

var (
	ErrInvalidKey = errors.New("apikeys: invalid key")
	ErrLockedOut  = errors.New("apikeys: too many failed attempts")
	ErrTooMany    = errors.New("apikeys: key limit reached")
)

// APIKey is the stored form of a key (never the secret itself).
type APIKey struct {
	ID        string    `json:"id"`
	Hash      string    `json:"hash"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at,omitzero"`
}

type keySet struct {
	TenantID string   `json:"tenant_id"`
	Keys     []APIKey `json:"keys"`
}

type cachedKey struct {
	TenantID string   `json:"tenant_id"`
	KeyID    string   `json:"key_id"`
	Scopes   []string `json:"scopes"`
}

type failures struct {
	Count int       `json:"count"`
	First time.Time `json:"first"`
}

// Config tunes key handling.
type Config struct {
	MaxKeysPerTenant int
	AuthCacheTTL     time.Duration
	FailureWindow    time.Duration
	LockoutAfter     int
}

// Service manages API keys.
type Service struct {
	cfg   Config
	store storage.ExpiringStore
	sets  *storage.Repo[keySet]
	now   func() time.Time
	log   *slog.Logger

	// fillCache writes a verified key into the auth cache.
	fillCache func(ctx context.Context, hash string, v cachedKey) error
}

// NewService returns a key service on store.
func NewService(store storage.ExpiringStore, cfg Config, log *slog.Logger) *Service {
	s := &Service{
		cfg:   cfg,
		store: store,
		sets:  storage.NewRepo[keySet](store, "apikeys:", storage.WithLogger(log)),
		now:   time.Now,
		log:   log,
	}
	s.fillCache = func(ctx context.Context, hash string, v cachedKey) error {
		return storage.PutJSON(ctx, store, "authcache:"+hash, v, cfg.AuthCacheTTL)
	}
	return s
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func newSecret(tenantID string) (id, secret string) {
	var b [24]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	id = hex.EncodeToString(b[:6])
	return id, "ek_" + tenantID + "_" + id + "_" + hex.EncodeToString(b[6:])
}

// Rotate issues a new key for tenantID and drops keys past their expiry.
// It returns the secret, which is shown to the user once.
func (s *Service) Rotate(ctx context.Context, tenantID string, scopes []string, validFor time.Duration) (string, error) {
	set, err := s.sets.Get(ctx, tenantID)
	if err != nil && !storage.IsNotFound(err) {
		return "", err
	}
	now := s.now().UTC()
	set.TenantID = tenantID
	set.Keys = slices.DeleteFunc(set.Keys, func(k APIKey) bool {
		return !k.ExpiresAt.IsZero() && now.After(k.ExpiresAt)
	})
	if len(set.Keys) >= s.cfg.MaxKeysPerTenant {
		return "", ErrTooMany
	}
	id, secret := newSecret(tenantID)
	k := APIKey{ID: id, Hash: hashSecret(secret), Scopes: scopes, CreatedAt: now}
	if validFor > 0 {
		k.ExpiresAt = now.Add(validFor)
	}
	set.Keys = append(set.Keys, k)
	if err := s.sets.Put(ctx, tenantID, set); err != nil { // EXPECT kvrace
		return "", err
	}
	return secret, nil
}

// Revoke removes one key.
func (s *Service) Revoke(ctx context.Context, tenantID, keyID string) error {
	var hash string
	err := s.sets.Update(ctx, tenantID, func(set *keySet) error {
		i := slices.IndexFunc(set.Keys, func(k APIKey) bool { return k.ID == keyID })
		if i < 0 {
			return ErrInvalidKey
		}
		hash = set.Keys[i].Hash
		set.Keys = slices.Delete(set.Keys, i, i+1)
		return nil
	})
	if err != nil {
		return err
	}
	// Drop the cached verification so the key stops working at this PoP.
	return s.store.Delete(ctx, "authcache:"+hash)
}

// IssuePreviewKey mints a read-only key for the dashboard's live preview
// iframe. It lives only as long as a preview session.
func (s *Service) IssuePreviewKey(ctx context.Context, tenantID string) (string, error) {
	id, secret := newSecret(tenantID)
	buf := []byte(`{"tenant_id":"` + tenantID + `","key_id":"` + id + `","scopes":["flags:read"]}`)
	if err := s.store.SetAt(ctx, "authcache:"+hashSecret(secret), buf, s.now().Add(30*time.Second)); err != nil { // EXPECT kvttl
		return "", err
	}
	return secret, nil
}

// IssueSupportKey mints a key for a support engineer's session.
func (s *Service) IssueSupportKey(ctx context.Context, tenantID string) (string, error) {
	id, secret := newSecret(tenantID)
	buf := []byte(`{"tenant_id":"` + tenantID + `","key_id":"` + id + `","scopes":["flags:read","tenant:read"]}`)
	if err := s.store.SetAt(ctx, "authcache:"+hashSecret(secret), buf, s.now().Add(15*time.Minute)); err != nil {
		return "", err
	}
	return secret, nil
}

// Authenticate resolves a presented secret to its tenant and scopes.
func (s *Service) Authenticate(ctx context.Context, secret, clientIP string) (*cachedKey, error) {
	if err := s.checkLockout(ctx, clientIP); err != nil {
		return nil, err
	}
	hash := hashSecret(secret)
	if ck, err := storage.GetJSON[cachedKey](ctx, s.store, "authcache:"+hash); err == nil {
		return &ck, nil
	}

	// Cache miss: secrets embed their tenant, so load that tenant's key set.
	parts := strings.SplitN(secret, "_", 4)
	if len(parts) != 4 || parts[0] != "ek" {
		s.recordFailure(ctx, clientIP)
		return nil, ErrInvalidKey
	}
	set, err := s.sets.Get(ctx, parts[1])
	if err != nil {
		s.recordFailure(ctx, clientIP)
		return nil, ErrInvalidKey
	}
	now := s.now()
	for _, k := range set.Keys {
		if subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hash)) != 1 {
			continue
		}
		if !k.ExpiresAt.IsZero() && now.After(k.ExpiresAt) {
			break
		}
		ck := cachedKey{TenantID: set.TenantID, KeyID: k.ID, Scopes: k.Scopes}
		if err := s.fillCache(ctx, hash, ck); err != nil {
			s.log.WarnContext(ctx, "auth cache fill failed", "key", k.ID, "err", err)
		}
		return &ck, nil
	}
	s.recordFailure(ctx, clientIP)
	return nil, ErrInvalidKey
}

func (s *Service) checkLockout(ctx context.Context, ip string) error {
	f, err := storage.GetJSON[failures](ctx, s.store, "authfail:"+ip)
	if err != nil {
		return nil
	}
	if f.Count >= s.cfg.LockoutAfter && s.now().Sub(f.First) < s.cfg.FailureWindow {
		return ErrLockedOut
	}
	return nil
}

func (s *Service) recordFailure(ctx context.Context, ip string) {
	key := "authfail:" + ip
	f, err := storage.GetJSON[failures](ctx, s.store, key)
	if err != nil && !storage.IsNotFound(err) {
		s.log.WarnContext(ctx, "auth failure read failed", "ip", ip, "err", err)
		return
	}
	if f.First.IsZero() || s.now().Sub(f.First) > s.cfg.FailureWindow {
		f = failures{First: s.now()}
	}
	f.Count++
	if err := storage.PutJSON(ctx, s.store, key, f, s.cfg.FailureWindow); err != nil { // EXPECT kvcounter
		s.log.WarnContext(ctx, "auth failure write failed", "ip", ip, "err", fmt.Errorf("apikeys: %w", err))
	}
}

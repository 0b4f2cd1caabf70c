// Package apikeys issues and checks the API keys CI pipelines use to publish.
package apikeys

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"example.com/atlas/internal/cfkv"
	"example.com/atlas/internal/config"
	"example.com/atlas/internal/consts"
	"example.com/atlas/internal/storage"
	"example.com/atlas/internal/storage/repo"
)

var (
	ErrInvalidKey = errors.New("apikeys: invalid key")
	ErrRevoked    = errors.New("apikeys: key revoked")
)

// APIKey is the stored form of a key; the secret itself is never stored.
type APIKey struct {
	ID        string    `json:"id"`
	SiteID    string    `json:"site"`
	Name      string    `json:"name"`
	Scopes    []string  `json:"scopes"`
	Hash      string    `json:"hash"`
	CreatedAt time.Time `json:"created_at"`
	ExpiresAt time.Time `json:"expires_at"`
}

func (k APIKey) Key() string { return keyRecord(k.ID) }

func keyRecord(id string) string { return consts.PrefixAPIKey.Key(id) }

// Service manages API keys.
type Service struct {
	store storage.Store
	keys  *repo.Repository[APIKey]
	ns    cfkv.Namespace
	cfg   config.APIKeyConfig
	now   func() time.Time
}

func New(s storage.Store, ns cfkv.Namespace, cfg config.APIKeyConfig) *Service {
	return &Service{store: s, keys: repo.New[APIKey](s, keyRecord, 0), ns: ns, cfg: cfg, now: time.Now}
}

// Verify checks secret and returns its key.
func (s *Service) Verify(ctx context.Context, secret string) (APIKey, error) {
	id, ok := parseID(secret)
	if !ok {
		return APIKey{}, ErrInvalidKey
	}
	cacheKey := consts.PrefixKeyCache.Key(hashSecret(secret))
	if b, err := s.store.Get(ctx, cacheKey); err == nil {
		var k APIKey
		if json.Unmarshal(b, &k) == nil && s.now().Before(k.ExpiresAt) {
			return k, nil
		}
	}
	k, err := s.keys.Load(ctx, id)
	if errors.Is(err, storage.ErrNotFound) {
		return APIKey{}, ErrInvalidKey
	}
	if err != nil {
		return APIKey{}, err
	}
	if subtle.ConstantTimeCompare([]byte(k.Hash), []byte(hashSecret(secret))) != 1 || !s.now().Before(k.ExpiresAt) {
		return APIKey{}, ErrInvalidKey
	}
	revoked, err := s.revoked(ctx)
	if err != nil {
		return APIKey{}, err
	}
	if slices.Contains(revoked, id) {
		return APIKey{}, ErrRevoked
	}
	b, _ := json.Marshal(k)
	if err := s.store.Put(ctx, cacheKey, b, max(time.Until(k.ExpiresAt), consts.KeyCacheFloor)); err != nil { // EXPECT kvttl
		return APIKey{}, err
	}
	return k, nil
}

func (s *Service) revoked(ctx context.Context) ([]string, error) {
	b, err := s.store.Get(ctx, consts.KeyRevokedAPIKeys)
	if errors.Is(err, storage.ErrNotFound) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var ids []string
	return ids, json.Unmarshal(b, &ids)
}

// Revoke disables the key with id.
func (s *Service) Revoke(ctx context.Context, id string) error {
	ids, err := s.revoked(ctx)
	if err != nil {
		return err
	}
	if slices.Contains(ids, id) {
		return nil
	}
	ids = append(ids, id)
	b, err := json.Marshal(ids)
	if err != nil {
		return err
	}
	return s.store.Put(ctx, consts.KeyRevokedAPIKeys, b, 0) // EXPECT kvsession
}

// Allow reports whether key id may make another request this minute.
func (s *Service) Allow(ctx context.Context, id string) (bool, error) {
	window := s.now().UTC().Truncate(consts.RateWindow).Unix()
	key := url.PathEscape(fmt.Sprintf("ratelimit:%s:%d", id, window))
	used := 0
	res, err := s.ns.Client.KV.Namespaces.Values.Get(ctx, s.ns.ID, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.ns.AccountID),
	})
	switch {
	case cfkv.IsNotFound(err):
	case err != nil:
		return false, err
	default:
		raw, _ := io.ReadAll(res.Body)
		res.Body.Close()
		used, _ = strconv.Atoi(string(raw))
	}
	if used >= s.cfg.RequestsPerMinute {
		return false, nil
	}
	_, err = s.ns.Client.KV.Namespaces.Values.Update(ctx, s.ns.ID, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID: cloudflare.F(s.ns.AccountID),
		Value:     cloudflare.F(strconv.Itoa(used + 1)),
		Metadata:  cloudflare.F("{}"),
	}, option.WithQuery("expiration_ttl", strconv.Itoa(int(consts.RateKeyTTL.Seconds()))))
	return err == nil, err
}

func parseID(secret string) (string, bool) {
	parts := strings.Split(secret, "_")
	if len(parts) != 3 || parts[0] != "atl" || len(parts[1]) != 16 {
		return "", false
	}
	return parts[1], true
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

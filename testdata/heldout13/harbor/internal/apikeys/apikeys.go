// Package apikeys issues and validates operator API keys. It predates the
// storage port and talks to the KV REST API directly.
package apikeys

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

var (
	ErrNameTaken = errors.New("apikeys: name already in use")
	ErrInvalid   = errors.New("apikeys: invalid key")
)

// Key is the stored record of an API key. The secret itself is never stored.
type Key struct {
	ID        string    `json:"id"`
	Operator  string    `json:"operator"`
	Name      string    `json:"name"`
	Hash      string    `json:"hash"`
	Scopes    []string  `json:"scopes"`
	CreatedAt time.Time `json:"created_at"`
}

// HasScope reports whether the key grants scope.
func (k Key) HasScope(scope string) bool { return slices.Contains(k.Scopes, scope) }

// Service manages API keys.
type Service struct {
	client   *cloudflare.Client
	account  string
	ns       string
	cacheNS  string
	cacheTTL time.Duration
	log      *slog.Logger
}

// NewService returns a Service writing key records to ns and caching
// validations in cacheNS for cacheTTL.
func NewService(client *cloudflare.Client, account, ns, cacheNS string, cacheTTL time.Duration, log *slog.Logger) *Service {
	return &Service{client: client, account: account, ns: ns, cacheNS: cacheNS, cacheTTL: cacheTTL, log: log}
}

// HashSecret returns the lookup hash of a presented secret.
func HashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (s *Service) read(ctx context.Context, ns, key string) ([]byte, error) {
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	return io.ReadAll(resp.Body)
}

func random(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Create issues a new key and returns its secret, which is shown once.
func (s *Service) Create(ctx context.Context, operator, name string, scopes []string) (string, Key, error) {
	nameKey := "keyname:" + operator + ":" + name
	if _, err := s.read(ctx, s.ns, nameKey); err == nil {
		return "", Key{}, ErrNameTaken
	} else if !isNotFound(err) {
		return "", Key{}, fmt.Errorf("apikeys: check name: %w", err)
	}
	secret := "hbk_" + random(24)
	k := Key{ID: random(8), Operator: operator, Name: name, Hash: HashSecret(secret), Scopes: scopes, CreatedAt: time.Now().UTC()}
	body, _ := json.Marshal(k)
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, "token:"+k.Hash, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(string(body)),
		Metadata:  cloudflare.F[any](map[string]string{"operator": operator, "name": name}),
	})
	if err != nil {
		return "", Key{}, fmt.Errorf("apikeys: store key: %w", err)
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, nameKey, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F(k.ID),
	})
	if err != nil {
		return "", Key{}, fmt.Errorf("apikeys: claim name: %w", err)
	}
	s.log.Info("api key created", "operator", operator, "name", name, "id", k.ID)
	return secret, k, nil
}

// Validate resolves a presented secret to its key record.
func (s *Service) Validate(ctx context.Context, secret string) (Key, error) {
	if !strings.HasPrefix(secret, "hbk_") {
		return Key{}, ErrInvalid
	}
	hash := HashSecret(secret)
	var k Key
	if b, err := s.read(ctx, s.cacheNS, "tokcache:"+hash); err == nil && json.Unmarshal(b, &k) == nil {
		return k, nil
	}
	b, err := s.read(ctx, s.ns, "token:"+hash)
	if isNotFound(err) {
		return Key{}, ErrInvalid
	}
	if err != nil {
		return Key{}, fmt.Errorf("apikeys: lookup: %w", err)
	}
	if err := json.Unmarshal(b, &k); err != nil {
		return Key{}, fmt.Errorf("apikeys: decode: %w", err)
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.cacheNS, "tokcache:"+hash, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.account),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(float64(s.cacheTTL)), // EXPECT kvttl
	})
	if err != nil {
		s.log.Warn("token cache fill failed", "err", err)
	}
	return k, nil
}

// RecordUsage bumps the key's request tally for today; it feeds the monthly
// invoice.
func (s *Service) RecordUsage(ctx context.Context, keyID string) error {
	key := "usage:" + keyID + ":" + time.Now().UTC().Format("20060102")
	resp, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return fmt.Errorf("apikeys: read usage: %w", err)
	}
	defer resp.Body.Close()
	var n int64
	if resp.StatusCode == http.StatusNotFound { // EXPECT kvnull
		n = 0
	} else {
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return err
		}
		if n, err = strconv.ParseInt(strings.TrimSpace(string(b)), 10, 64); err != nil {
			return fmt.Errorf("apikeys: corrupt usage %s: %w", key, err)
		}
	}
	_, err = s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(s.account),
		Value:         cloudflare.F(strconv.FormatInt(n+1, 10)),
		ExpirationTTL: cloudflare.F(float64(35 * 24 * 60 * 60)),
	})
	return err
}

// Revoke disables a key immediately.
func (s *Service) Revoke(ctx context.Context, hash string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.ns, "token:"+hash, kv.NamespaceValueDeleteParams{ // EXPECT kvsession
		AccountID: cloudflare.F(s.account),
	})
	if err != nil && !isNotFound(err) {
		return fmt.Errorf("apikeys: revoke: %w", err)
	}
	return nil
}

// Package apikeys issues and verifies organisation API keys and personal
// access tokens (PATs). Keys are stored hashed; the plaintext is shown once.
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
	"log/slog"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/tollgate-dev/phalarope/internal/clock"
	"github.com/tollgate-dev/phalarope/internal/kv"
	"github.com/tollgate-dev/phalarope/internal/retry"
)

const (
	apiKeyPrefix  kv.Prefix = "apikey:"
	orgKeyPrefix  kv.Prefix = "orgkey:"
	patPrefix     kv.Prefix = "pat:"
	userPATs      kv.Prefix = "user:pats:"
	revokedPrefix kv.Prefix = "revoked:"
	lastUsed      kv.Prefix = "apikey:lastused:"

	maxKeysPerOrg = 50
	maxPATLife    = 365 * 24 * time.Hour
)

// ErrInvalid is returned for unknown, expired or revoked credentials.
var ErrInvalid = errors.New("apikeys: invalid credential")

// ErrQuota is returned when an organisation already has maxKeysPerOrg keys.
var ErrQuota = errors.New("apikeys: too many keys")

// APIKey is an organisation credential.
type APIKey struct {
	ID         string    `json:"id"`
	OrgID      string    `json:"org_id"`
	Name       string    `json:"name"`
	Hash       string    `json:"hash"`
	Scopes     []string  `json:"scopes"`
	CreatedAt  time.Time `json:"created_at"`
	LastUsedAt time.Time `json:"last_used_at,omitzero"`
}

func (k APIKey) Key() string        { return apiKeyPrefix.Key(k.Hash) }
func (k APIKey) TTL() time.Duration { return 0 }

// PAT is a personal access token for the CLI and CI.
type PAT struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id"`
	Hash      string    `json:"hash"`
	Scopes    []string  `json:"scopes"`
	ExpiresAt time.Time `json:"expires_at"`
}

// now is swapped by tests that freeze PAT expiry.
var now = time.Now

func (p PAT) Key() string { return patPrefix.Key(p.Hash) }

// TTL lets KV drop the token when it expires; a token that is about to
// expire is kept for the one-minute minimum.
func (p PAT) TTL() time.Duration {
	d := p.ExpiresAt.Sub(now())
	if d < time.Minute {
		d = time.Minute
	}
	return d
}

// Service owns credential storage.
type Service struct {
	KV      *kv.Client
	NS      kv.Namespace
	Clock   clock.Clock
	Breaker *retry.Breaker
	Log     *slog.Logger
}

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func newSecret(prefix string) (string, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return "", err
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// CreateAPIKey mints a key for orgID and returns its plaintext.
func (s *Service) CreateAPIKey(ctx context.Context, orgID, name string, scopes []string) (string, error) {
	resp, err := s.KV.API().ListWorkersKVKeys(ctx, s.KV.Account(), cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: string(s.NS),
		Prefix:      orgKeyPrefix.Key(orgID, ""),
	})
	if err != nil {
		return "", err
	}
	if len(resp.Result) >= maxKeysPerOrg {
		return "", ErrQuota
	}

	plain, err := newSecret("tg_live_")
	if err != nil {
		return "", err
	}
	rec := APIKey{
		ID:        plain[8:16],
		OrgID:     orgID,
		Name:      name,
		Hash:      hashSecret(plain),
		Scopes:    scopes,
		CreatedAt: s.Clock.Now().UTC(),
	}
	if err := kv.Save(ctx, s.KV, s.NS, rec); err != nil {
		return "", err
	}
	if err := s.NS.Put(ctx, s.KV, orgKeyPrefix.Key(orgID, rec.ID), []byte(rec.Hash)); err != nil {
		return "", err
	}
	return plain, nil
}

// Authenticate resolves a presented API key.
func (s *Service) Authenticate(ctx context.Context, presented string) (*APIKey, error) {
	rec, err := kv.Load[APIKey](ctx, s.KV, s.NS, apiKeyPrefix.Key(hashSecret(presented)))
	if errors.Is(err, kv.ErrNotFound) {
		return nil, ErrInvalid
	}
	if err != nil {
		return nil, err
	}
	defer s.touch(ctx, rec)
	return &rec, nil
}

// touch records when a key was last used, for the dashboard.
func (s *Service) touch(ctx context.Context, rec APIKey) {
	rec.LastUsedAt = s.Clock.Now().UTC()
	if err := kv.Save(ctx, s.KV, s.NS, rec); err != nil { // EXPECT kvsession
		s.Log.Warn("touch api key", "id", rec.ID, "err", err)
	}
}

// UpdateScopes replaces the scopes of an existing key.
func (s *Service) UpdateScopes(ctx context.Context, hash string, add, remove []string) error {
	return retry.Do(ctx, retry.Default, func(ctx context.Context) error {
		rec, err := kv.Load[APIKey](ctx, s.KV, s.NS, apiKeyPrefix.Key(hash))
		if err != nil {
			return retry.Permanent{Err: err}
		}
		rec.Scopes = slices.DeleteFunc(rec.Scopes, func(sc string) bool { return slices.Contains(remove, sc) })
		for _, sc := range add {
			if !slices.Contains(rec.Scopes, sc) {
				rec.Scopes = append(rec.Scopes, sc)
			}
		}
		return kv.Save(ctx, s.KV, s.NS, rec) // EXPECT kvrace|kvsession
	})
}

// LastUsed returns when the key with the given ID was last presented.
func (s *Service) LastUsed(ctx context.Context, orgID, id string) (time.Time, error) {
	raw, _ := s.KV.API().GetWorkersKV(ctx, s.KV.Account(), cloudflare.GetWorkersKVParams{
		NamespaceID: string(s.NS),
		Key:         lastUsed.Key(orgID, id),
	})
	if len(raw) == 0 { // EXPECT kvnull
		return time.Time{}, nil
	}
	return time.Parse(time.RFC3339, string(raw))
}

// IssuePAT mints a personal access token valid for life.
func (s *Service) IssuePAT(ctx context.Context, userID string, scopes []string, life time.Duration) (string, error) {
	if life <= 0 || life > maxPATLife {
		return "", fmt.Errorf("apikeys: lifetime %s out of range", life)
	}
	plain, err := newSecret("tg_pat_")
	if err != nil {
		return "", err
	}
	pat := PAT{
		ID:        plain[7:15],
		UserID:    userID,
		Hash:      hashSecret(plain),
		Scopes:    scopes,
		ExpiresAt: s.Clock.Now().Add(life).UTC(),
	}
	if err := kv.Save(ctx, s.KV, s.NS, pat); err != nil {
		return "", err
	}
	return plain, s.indexPAT(ctx, userID, pat.ID, pat.Hash)
}

type patRef struct {
	ID   string `json:"id"`
	Hash string `json:"hash"`
}

// indexPAT adds the token to the user's token list shown in settings.
func (s *Service) indexPAT(ctx context.Context, userID, id, hash string) error {
	key := userPATs.Key(userID)
	var refs []patRef
	raw, err := s.NS.Get(ctx, s.KV, key)
	switch {
	case errors.Is(err, kv.ErrNotFound):
	case err != nil:
		return err
	default:
		if err := json.Unmarshal(raw, &refs); err != nil {
			return err
		}
	}
	refs = append(refs, patRef{ID: id, Hash: hash})
	b, _ := json.Marshal(refs)
	return s.NS.Put(ctx, s.KV, key, b) // EXPECT kvrace
}

// RevokePAT deletes a token and records its ID so that edge caches holding
// the old record refuse it.
func (s *Service) RevokePAT(ctx context.Context, userID, id string) error {
	raw, err := s.NS.Get(ctx, s.KV, userPATs.Key(userID))
	if err != nil {
		return err
	}
	var refs []patRef
	if err := json.Unmarshal(raw, &refs); err != nil {
		return err
	}
	i := slices.IndexFunc(refs, func(r patRef) bool { return r.ID == id })
	if i < 0 {
		return ErrInvalid
	}
	if err := s.NS.Delete(ctx, s.KV, patPrefix.Key(refs[i].Hash)); err != nil { // EXPECT kvsession
		return err
	}
	return s.NS.PutTTL(ctx, s.KV, revokedPrefix.Key(id), []byte("1"), maxPATLife) // EXPECT kvsession
}

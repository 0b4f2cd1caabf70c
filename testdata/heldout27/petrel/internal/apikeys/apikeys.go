// Package apikeys issues, authenticates, rotates and revokes API keys.
// Only hashes of secrets are stored.
package apikeys

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/storage"
)

// ErrUnknownKey is returned for secrets that do not authenticate.
var ErrUnknownKey = errors.New("apikeys: unknown or revoked key")

// ErrForbidden is returned when a key belongs to another team.
var ErrForbidden = errors.New("apikeys: key belongs to another team")

// Key is the stored record of an API key.
type Key struct {
	ID          ident.KeyID  `json:"id"`
	Team        ident.TeamID `json:"team"`
	Hash        string       `json:"hash"`
	Hint        string       `json:"hint"`
	Scopes      []string     `json:"scopes"`
	CreatedAt   time.Time    `json:"created_at"`
	RotatedFrom ident.KeyID  `json:"rotated_from,omitempty"`
}

func (k *Key) Key() string     { return k.ID.RecordKey() }
func (k *Key) SetID(id string) { k.ID = ident.KeyID(id) }

// Principal is what a successful authentication yields.
type Principal struct {
	KeyID      ident.KeyID  `json:"id"`
	Team       ident.TeamID `json:"team"`
	Scopes     []string     `json:"scopes"`
	GraceUntil time.Time    `json:"grace_until,omitzero"`
}

func (p Principal) Can(scope string) bool { return slices.Contains(p.Scopes, scope) }

// Summary is a listing row, built from key metadata alone.
type Summary struct {
	ID        ident.KeyID `json:"id"`
	Hint      string      `json:"hint"`
	CreatedAt int64       `json:"created_at"`
}

// LegacyReader reads values written by the previous service generation.
type LegacyReader interface {
	Raw(ctx context.Context, key string) ([]byte, error)
}

// Service implements the key lifecycle.
type Service struct {
	st       storage.Store
	legacy   LegacyReader
	local    sync.Map // index key -> cachedIndex
	grace    time.Duration
	onRevoke func(ctx context.Context, team ident.TeamID, id ident.KeyID) error
}

type Option func(*Service)

// WithLegacy enables reads of the old policy layout.
func WithLegacy(r LegacyReader) Option { return func(s *Service) { s.legacy = r } }

// WithGrace sets how long a rotated key keeps working.
func WithGrace(d time.Duration) Option { return func(s *Service) { s.grace = d } }

// WithRevokeHook observes revocations, e.g. to write an audit event.
func WithRevokeHook(f func(ctx context.Context, team ident.TeamID, id ident.KeyID) error) Option {
	return func(s *Service) { s.onRevoke = f }
}

func New(st storage.Store, opts ...Option) *Service {
	s := &Service{st: st, grace: 24 * time.Hour}
	for _, o := range opts {
		o(s)
	}
	return s
}

// Create issues a new key for team. The secret is returned exactly once.
func (s *Service) Create(ctx context.Context, team ident.TeamID, scopes []string) (ident.Secret, *Key, error) {
	return s.issue(ctx, team, scopes, "")
}

func (s *Service) issue(ctx context.Context, team ident.TeamID, scopes []string, from ident.KeyID) (ident.Secret, *Key, error) {
	secret := ident.NewSecret()
	k := &Key{
		ID:          ident.NewKeyID(),
		Team:        team,
		Hash:        secret.Hash(),
		Hint:        secret.Hint(),
		Scopes:      slices.Clone(scopes),
		CreatedAt:   time.Now().UTC(),
		RotatedFrom: from,
	}
	if err := storage.Save(ctx, s.st, k, storage.PutOptions{}); err != nil {
		return "", nil, err
	}
	idx, err := json.Marshal(Principal{KeyID: k.ID, Team: team, Scopes: k.Scopes})
	if err != nil {
		return "", nil, err
	}
	if err := s.st.Put(ctx, secret.IndexKey(), idx, storage.PutOptions{}); err != nil {
		return "", nil, err
	}
	listing := storage.PutOptions{Metadata: Summary{ID: k.ID, Hint: k.Hint, CreatedAt: k.CreatedAt.Unix()}}
	if err := s.st.Put(ctx, ident.TeamKeysPrefix(team)+string(k.ID), nil, listing); err != nil {
		return "", nil, err
	}
	return secret, k, nil
}

type cachedIndex struct {
	raw     []byte
	expires time.Time
}

func (s *Service) Authenticate(ctx context.Context, secret ident.Secret) (*Principal, error) {
	key := secret.IndexKey()
	var raw []byte
	if v, ok := s.local.Load(key); ok && time.Now().Before(v.(cachedIndex).expires) {
		raw = v.(cachedIndex).raw
	} else {
		var err error
		raw, err = s.st.Get(ctx, key)
		if errors.Is(err, storage.ErrNotFound) {
			return nil, ErrUnknownKey
		}
		if err != nil {
			return nil, fmt.Errorf("apikeys: authenticate: %w", err)
		}
		// Revocations reach this process within the local lifetime.
		s.local.Store(key, cachedIndex{raw: raw, expires: time.Now().Add(20 * time.Second)})
	}
	var p Principal
	if err := json.Unmarshal(raw, &p); err != nil {
		return nil, fmt.Errorf("apikeys: corrupt index: %w", err)
	}
	if !p.GraceUntil.IsZero() && time.Now().After(p.GraceUntil) {
		return nil, ErrUnknownKey
	}
	return &p, nil
}

func (s *Service) owned(ctx context.Context, team ident.TeamID, id ident.KeyID) (*Key, error) {
	k, err := storage.Load[Key](ctx, s.st, string(id))
	if err != nil {
		return nil, err
	}
	if k.Team != team {
		return nil, ErrForbidden
	}
	return k, nil
}

// Revoke disables a key immediately.
func (s *Service) Revoke(ctx context.Context, team ident.TeamID, id ident.KeyID) error {
	k, err := s.owned(ctx, team, id)
	if err != nil {
		return err
	}
	if err := s.st.Delete(ctx, ident.HashIndexKey(k.Hash)); err != nil { // EXPECT kvsession
		return err
	}
	s.local.Delete(ident.HashIndexKey(k.Hash))
	if err := s.st.Delete(ctx, ident.TeamKeysPrefix(team)+string(id)); err != nil {
		return err
	}
	if s.onRevoke != nil {
		return s.onRevoke(ctx, team, id)
	}
	return nil
}

// Rotate issues a replacement key and lets the old one work until the
// grace period ends.
func (s *Service) Rotate(ctx context.Context, team ident.TeamID, id ident.KeyID) (ident.Secret, *Key, error) {
	old, err := s.owned(ctx, team, id)
	if err != nil {
		return "", nil, err
	}
	secret, fresh, err := s.issue(ctx, team, old.Scopes, old.ID)
	if err != nil {
		return "", nil, err
	}
	deadline := time.Now().Add(s.grace)
	idx, err := json.Marshal(Principal{KeyID: old.ID, Team: team, Scopes: old.Scopes, GraceUntil: deadline})
	if err != nil {
		return "", nil, err
	}
	err = s.st.Put(ctx, ident.HashIndexKey(old.Hash), idx, storage.PutOptions{Expiration: deadline.Unix()}) // EXPECT kvsession
	if err != nil {
		return "", nil, fmt.Errorf("apikeys: schedule expiry of %s: %w", old.ID, err)
	}
	return secret, fresh, nil
}

// List returns one page of a team's keys and the cursor for the next.
func (s *Service) List(ctx context.Context, team ident.TeamID, cursor string) ([]Summary, string, error) {
	page, err := s.st.List(ctx, storage.ListQuery{Prefix: ident.TeamKeysPrefix(team), Cursor: cursor, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	out := make([]Summary, 0, len(page.Keys))
	for _, k := range page.Keys {
		var sum Summary
		if b, err := json.Marshal(k.Metadata); err == nil && json.Unmarshal(b, &sum) == nil {
			out = append(out, sum)
		}
	}
	if page.Complete {
		return out, "", nil
	}
	return out, page.Cursor, nil
}

// Package tokens manages dashboard sessions and project API tokens.
package tokens

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"path"
	"time"

	"example.com/osprey/internal/codec"
	"example.com/osprey/internal/config"
	"example.com/osprey/internal/domain"
	"example.com/osprey/internal/storage"
)

// Sessions manages dashboard logins.
type Sessions interface {
	Create(ctx context.Context, user string) (domain.Session, error)
	Lookup(ctx context.Context, id string) (domain.Session, error)
	Touch(ctx context.Context, id string) error
	Logout(ctx context.Context, id string) error
}

// Tokens manages project API tokens.
type Tokens interface {
	Issue(ctx context.Context, project, name string, scopes []string) (domain.APIToken, string, error)
	Verify(ctx context.Context, secret string) (domain.APIToken, error)
	Rotate(ctx context.Context, project, id string) (domain.APIToken, string, error)
	List(ctx context.Context, project string) ([]domain.APIToken, error)
}

type sessions struct {
	store storage.Store[string, domain.Session]
	ttl   time.Duration
}

var _ Sessions = (*sessions)(nil)

// NewSessions returns the session service; cfg is copied.
func NewSessions(raw storage.Raw, cfg config.Cache) Sessions {
	return &sessions{
		store: storage.NewTyped[string, domain.Session](raw, codec.JSON[domain.Session]{}),
		ttl:   cfg.Sessions.TTL,
	}
}

func sessionKey(id string) string { return path.Join("sessions", id) }

func (s *sessions) Create(ctx context.Context, user string) (domain.Session, error) {
	now := time.Now()
	sess := domain.Session{
		ID:        domain.NewID(),
		User:      user,
		CSRF:      domain.NewID(),
		CreatedAt: now,
		LastSeen:  now,
		ExpiresAt: now.Add(s.ttl),
	}
	ttl := s.ttl
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return sess, s.store.Put(ctx, sessionKey(sess.ID), sess, storage.WithTTL(ttl))
}

func (s *sessions) Lookup(ctx context.Context, id string) (domain.Session, error) {
	sess, err := s.store.Get(ctx, sessionKey(id))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.Session{}, domain.ErrNotFound
	}
	if err != nil {
		return domain.Session{}, err
	}
	if time.Now().After(sess.ExpiresAt) {
		return domain.Session{}, domain.ErrExpired
	}
	return sess, nil
}

// Touch slides the session's expiry forward on activity.
func (s *sessions) Touch(ctx context.Context, id string) error {
	sess, err := s.store.Get(ctx, sessionKey(id))
	if err != nil {
		return err
	}
	now := time.Now()
	sess.LastSeen = now
	sess.ExpiresAt = now.Add(s.ttl)
	return s.store.Put(ctx, sessionKey(id), sess, storage.WithTTL(s.ttl)) // EXPECT kvsession
}

func (s *sessions) Logout(ctx context.Context, id string) error {
	return s.store.Delete(ctx, sessionKey(id)) // EXPECT kvsession
}

type tokens struct {
	records storage.Store[string, domain.APIToken]
	index   storage.Store[string, string]
	quota   storage.Store[string, int64]
	revoked storage.Store[string, string]
	limits  config.Listing
	max     int64
}

var _ Tokens = (*tokens)(nil)

// NewTokens returns the API token service.
func NewTokens(raw storage.Raw, limits config.Listing, maxPerProject int64) Tokens {
	return &tokens{
		records: storage.NewTyped[string, domain.APIToken](raw, codec.JSON[domain.APIToken]{}),
		index:   storage.NewTyped[string, string](raw, codec.Text{}),
		quota:   storage.NewTyped[string, int64](raw, codec.Int{}),
		revoked: storage.NewTyped[string, string](raw, codec.Text{}),
		limits:  limits,
		max:     maxPerProject,
	}
}

func tokenKey(project, id string) string { return fmt.Sprintf("tokens/%s/%s", project, id) }
func hashKey(h string) string            { return "token-hashes/" + h }
func quotaKey(project string) string     { return fmt.Sprintf("quota/tokens/%s", project) }
func revokedKey(id string) string        { return "revoked/" + id }

func hashSecret(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

func (t *tokens) Issue(ctx context.Context, project, name string, scopes []string) (domain.APIToken, string, error) {
	used, err := t.quota.Get(ctx, quotaKey(project))
	if err != nil && !errors.Is(err, storage.ErrNotFound) {
		return domain.APIToken{}, "", err
	}
	if t.max > 0 && used >= t.max {
		return domain.APIToken{}, "", domain.ErrLimited
	}
	secret := "osp_" + domain.NewID()
	tok := domain.APIToken{
		ID:        domain.NewID(),
		Project:   project,
		Name:      name,
		Hash:      hashSecret(secret),
		Scopes:    scopes,
		CreatedAt: time.Now(),
	}
	if err := t.records.Put(ctx, tokenKey(project, tok.ID), tok); err != nil {
		return domain.APIToken{}, "", err
	}
	if err := t.index.Put(ctx, hashKey(tok.Hash), tokenKey(project, tok.ID)); err != nil {
		return domain.APIToken{}, "", err
	}
	if err := t.quota.Put(ctx, quotaKey(project), used+1); err != nil { // EXPECT kvcounter
		return domain.APIToken{}, "", err
	}
	return tok, secret, nil
}

func (t *tokens) Verify(ctx context.Context, secret string) (domain.APIToken, error) {
	ref, err := t.index.Get(ctx, hashKey(hashSecret(secret)))
	if errors.Is(err, storage.ErrNotFound) {
		return domain.APIToken{}, domain.ErrForbidden
	}
	if err != nil {
		return domain.APIToken{}, err
	}
	tok, err := t.records.Get(ctx, ref)
	if err != nil {
		return domain.APIToken{}, err
	}
	if _, err := t.revoked.Get(ctx, revokedKey(tok.ID)); err == nil {
		return domain.APIToken{}, domain.ErrForbidden
	}
	return tok, nil
}

// Rotate issues a replacement token and puts the old one on the revocation list.
func (t *tokens) Rotate(ctx context.Context, project, id string) (domain.APIToken, string, error) {
	old, err := t.records.Get(ctx, tokenKey(project, id))
	if err != nil {
		return domain.APIToken{}, "", err
	}
	next, secret, err := t.Issue(ctx, project, old.Name, old.Scopes)
	if err != nil {
		return domain.APIToken{}, "", err
	}
	if err := t.revoked.Put(ctx, revokedKey(old.ID), time.Now().UTC().Format(time.RFC3339)); err != nil { // EXPECT kvsession
		return domain.APIToken{}, "", err
	}
	return next, secret, nil
}

// List returns the project's tokens, reading at most limits.MaxPages pages.
func (t *tokens) List(ctx context.Context, project string) ([]domain.APIToken, error) {
	var out []domain.APIToken
	cursor := ""
	prefix := fmt.Sprintf("tokens/%s/", project)
pages:
	for page := 0; page < t.limits.MaxPages; page++ {
		pg, err := t.records.List(ctx, prefix, cursor, t.limits.PageSize)
		if err != nil {
			return nil, err
		}
		for _, k := range pg.Keys {
			out = append(out, domain.APIToken{ID: path.Base(k.Name), Project: project})
		}
		switch {
		case pg.Complete:
			break pages
		case ctx.Err() != nil:
			return out, ctx.Err()
		}
		cursor = pg.Cursor
	}
	return out, nil
}

// Package tokens issues and rotates refresh tokens. Every token belongs to a
// family; presenting a token that is no longer the family's current one is
// treated as theft and kills the whole family.
package tokens

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/authgw/internal/ids"
	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

var (
	ErrInvalid = errors.New("tokens: refresh token invalid")
	ErrReused  = errors.New("tokens: refresh token reuse detected")
)

// Config holds lifetimes.
type Config struct {
	RefreshTTL     time.Duration // lifetime of a single refresh token
	FamilyLifetime time.Duration // hard cap on a login, however often it refreshes
}

type record struct {
	UserID   string    `json:"uid"`
	FamilyID string    `json:"fid"`
	IssuedAt time.Time `json:"iat"`
}

type family struct {
	ID        string    `json:"id"`
	UserID    string    `json:"uid"`
	Current   string    `json:"current"`
	ExpiresAt time.Time `json:"exp"`
}

// Service is the refresh token store.
type Service struct {
	kv  kvport.Store
	cfg Config
	now func() time.Time
}

func NewService(kv kvport.Store, cfg Config) *Service {
	return &Service{kv: kv, cfg: cfg, now: time.Now}
}

func tokenKey(id string) string        { return "rt:tok:" + id }
func familyPrefix(uid string) string   { return "rt:fam:" + uid + ":" }
func familyKey(uid, fid string) string { return familyPrefix(uid) + fid }

// Issue starts a new family for userID and returns its first token.
func (s *Service) Issue(ctx context.Context, userID string) (string, error) {
	now := s.now().UTC()
	raw := ids.Secret(32)
	fam := family{ID: ids.New(), UserID: userID, Current: ids.Hash(raw), ExpiresAt: now.Add(s.cfg.FamilyLifetime)}
	if err := repo.PutJSON(ctx, s.kv, familyKey(userID, fam.ID), fam, kvport.WithTTL(s.cfg.FamilyLifetime)); err != nil {
		return "", err
	}
	rec := record{UserID: userID, FamilyID: fam.ID, IssuedAt: now}
	if err := repo.PutJSON(ctx, s.kv, tokenKey(fam.Current), rec, kvport.WithTTL(s.cfg.RefreshTTL)); err != nil {
		return "", err
	}
	return raw, nil
}

// Rotate exchanges raw for a new token of the same family.
func (s *Service) Rotate(ctx context.Context, raw string) (newRaw, userID string, err error) {
	oldID := ids.Hash(raw)
	rec, err := repo.GetJSON[record](ctx, s.kv, tokenKey(oldID))
	if kvport.IsNotFound(err) {
		return "", "", ErrInvalid
	}
	if err != nil {
		return "", "", err
	}
	famKey := familyKey(rec.UserID, rec.FamilyID)
	fam, err := repo.GetJSON[family](ctx, s.kv, famKey)
	if kvport.IsNotFound(err) {
		return "", "", ErrInvalid
	}
	if err != nil {
		return "", "", err
	}
	if fam.Current != oldID {
		if _, rerr := s.RevokeAll(ctx, rec.UserID); rerr != nil {
			return "", "", fmt.Errorf("%w (revocation failed: %v)", ErrReused, rerr)
		}
		return "", "", ErrReused
	}
	if !s.now().Before(fam.ExpiresAt) {
		return "", "", ErrInvalid
	}

	newRaw = ids.Secret(32)
	newID := ids.Hash(newRaw)
	// Never outlive the family.
	ttl := min(s.cfg.RefreshTTL, time.Until(fam.ExpiresAt))
	ttl = max(ttl, 10*time.Second) // EXPECT kvttl
	next := record{UserID: rec.UserID, FamilyID: fam.ID, IssuedAt: s.now().UTC()}
	if err := repo.PutJSON(ctx, s.kv, tokenKey(newID), next, kvport.WithTTL(ttl)); err != nil {
		return "", "", err
	}
	if err := s.kv.Delete(ctx, tokenKey(oldID)); err != nil { // EXPECT kvsession
		return "", "", err
	}
	fam.Current = newID
	famTTL := max(time.Until(fam.ExpiresAt), time.Minute)
	if err := repo.PutJSON(ctx, s.kv, famKey, fam, kvport.WithTTL(famTTL)); err != nil { // EXPECT kvsession|kvrace
		return "", "", err
	}
	return newRaw, rec.UserID, nil
}

// RevokeAll kills every token family of userID. A user rarely has more than
// a handful of families, so the walk is capped rather than exhaustive; the
// cap is generous and leftovers die at FamilyLifetime anyway.
func (s *Service) RevokeAll(ctx context.Context, userID string) (int, error) {
	const maxPages = 4
	prefix := familyPrefix(userID)
	cursor, n := "", 0
	for page := 0; page < maxPages; page++ {
		res, err := s.kv.List(ctx, kvport.ListQuery{Prefix: prefix, Cursor: cursor, Limit: 100})
		if err != nil {
			return n, err
		}
		for _, k := range res.Keys {
			if !strings.HasPrefix(k.Name, prefix) {
				continue
			}
			if err := s.kv.Delete(ctx, k.Name); err != nil { // EXPECT kvsession
				return n, err
			}
			n++
		}
		if res.Complete {
			break
		}
		cursor = res.Cursor
	}
	return n, nil
}

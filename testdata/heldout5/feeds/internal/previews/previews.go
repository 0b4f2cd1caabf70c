// Package previews issues preview access for unpublished articles: signed-in
// editors get a reusable preview token, outside reviewers get one-time links.
package previews

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"slices"
	"strconv"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/kvjson"
)

var (
	ErrUnknown     = errors.New("previews: unknown token")
	ErrUsed        = errors.New("previews: link already used")
	ErrRevoked     = errors.New("previews: previews revoked for this article")
	ErrQuota       = errors.New("previews: daily preview quota reached")
	denylistKey    = "preview:denylist"
	maxDenylistLen = 5000
)

// Config holds the lifetimes and limits of preview grants.
type Config struct {
	TokenTTL       time.Duration
	OneTimeLinkTTL time.Duration
	DailyQuota     int
}

// Grant is what a token or link resolves to.
type Grant struct {
	ArticleID string    `json:"article_id"`
	IssuedBy  string    `json:"issued_by"`
	IssuedAt  time.Time `json:"issued_at"`
	OneTime   bool      `json:"one_time,omitempty"`
	Used      bool      `json:"used,omitempty"`
	UsedAt    time.Time `json:"used_at,omitzero"`
}

// Service stores grants in the previews namespace.
type Service struct {
	store kv.Store
	cfg   Config
	now   func() time.Time
}

// New returns the preview service.
func New(store kv.Store, cfg Config) *Service {
	if cfg.DailyQuota == 0 {
		cfg.DailyQuota = 200
	}
	return &Service{store: store, cfg: cfg, now: time.Now}
}

func token() string {
	b := make([]byte, 20)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// Issue creates a reusable preview token for editor.
func (s *Service) Issue(ctx context.Context, articleID, editor string) (string, error) {
	if err := s.charge(ctx, editor); err != nil {
		return "", err
	}
	tok := token()
	g := Grant{ArticleID: articleID, IssuedBy: editor, IssuedAt: s.now()}
	return tok, kvjson.PutJSON(ctx, s.store, "preview:"+tok, g, kv.PutOptions{TTL: s.cfg.TokenTTL})
}

// charge enforces the per-editor daily quota.
func (s *Service) charge(ctx context.Context, editor string) error {
	key := "quota:preview:" + editor + ":" + s.now().UTC().Format("20060102")
	used := 0
	raw, err := s.store.Get(ctx, key)
	if err == nil {
		used, _ = strconv.Atoi(string(raw))
	} else if !kv.IsNotFound(err) {
		return err
	}
	if used >= s.cfg.DailyQuota {
		return ErrQuota
	}
	used++
	return s.store.Put(ctx, key, []byte(strconv.Itoa(used)), kv.PutOptions{TTL: 26 * time.Hour}) // EXPECT kvcounter
}

// Validate resolves a reusable token.
func (s *Service) Validate(ctx context.Context, tok string) (Grant, error) {
	g, found, err := kvjson.GetJSON[Grant](ctx, s.store, "preview:"+tok)
	if err != nil {
		return Grant{}, err
	}
	if !found {
		return Grant{}, ErrUnknown
	}
	deny, _, err := kvjson.GetJSON[[]string](ctx, s.store, denylistKey)
	if err != nil {
		return Grant{}, err
	}
	if slices.Contains(deny, g.ArticleID) {
		return Grant{}, ErrRevoked
	}
	return g, nil
}

// IssueLink creates a one-time link for an outside reviewer.
func (s *Service) IssueLink(ctx context.Context, articleID, editor string) (string, error) {
	if err := s.charge(ctx, editor); err != nil {
		return "", err
	}
	tok := token()
	now := s.now()
	g := Grant{ArticleID: articleID, IssuedBy: editor, IssuedAt: now, OneTime: true}
	return tok, kvjson.PutJSON(ctx, s.store, "link:"+tok, g, kv.PutOptions{
		ExpiresAt: now.Add(s.cfg.OneTimeLinkTTL).Unix(),
	})
}

// RedeemLink consumes a one-time link. The grant stays around, marked used,
// so that a second click shows "already used" rather than "unknown".
func (s *Service) RedeemLink(ctx context.Context, tok string) (Grant, error) {
	key := "link:" + tok
	g, found, err := kvjson.GetJSON[Grant](ctx, s.store, key)
	switch {
	case err != nil:
		return Grant{}, err
	case !found:
		return Grant{}, ErrUnknown
	case g.Used:
		return Grant{}, ErrUsed
	}
	g.Used, g.UsedAt = true, s.now()
	if err := kvjson.PutJSON(ctx, s.store, key, g, kv.PutOptions{TTL: 24 * time.Hour}); err != nil { // EXPECT kvsession|kvrace
		return Grant{}, err
	}
	return g, nil
}

// RevokeArticle blocks every outstanding preview token of articleID.
func (s *Service) RevokeArticle(ctx context.Context, articleID string) error {
	deny, _, err := kvjson.GetJSON[[]string](ctx, s.store, denylistKey)
	if err != nil {
		return err
	}
	if slices.Contains(deny, articleID) {
		return nil
	}
	deny = append(deny, articleID)
	if len(deny) > maxDenylistLen {
		deny = deny[len(deny)-maxDenylistLen:]
	}
	return kvjson.PutJSON(ctx, s.store, denylistKey, deny, kv.PutOptions{}) // EXPECT kvsession|kvrace
}

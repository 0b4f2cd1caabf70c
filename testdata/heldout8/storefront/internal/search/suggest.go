// Package search serves type-ahead suggestions. Suggestion lists are computed
// from the product index and cached in KV per prefix; terms customers search
// for are learned into a small per-prefix list.
package search

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"sync"
	"time"

	"example.com/storefront/internal/config"
	"example.com/storefront/internal/kvrest"
	"example.com/storefront/internal/kvstore/cached"
)

// Index is the product search index.
type Index interface {
	Complete(ctx context.Context, prefix string, n int) ([]string, error)
}

// KV is the subset of the REST client the service uses.
type KV interface {
	GetValue(ctx context.Context, key string) (string, error)
	PutValue(ctx context.Context, key, value string, ttlSeconds int) error
	DeleteValue(ctx context.Context, key string) error
	ListKeys(ctx context.Context, prefix, cursor string, limit int) ([]string, string, error)
}

var _ KV = (*kvrest.Client)(nil)

// Service answers suggestion queries.
type Service struct {
	kv    KV
	index Index
	local *cached.Cache[string, []string]
	cfg   config.Search

	mu   sync.Mutex
	hits map[string]int64
}

// New returns a suggestion service.
func New(kv KV, index Index, cfg config.Search) *Service {
	return &Service{
		kv:    kv,
		index: index,
		local: cached.NewCache[string, []string](10_000, 30*time.Second),
		cfg:   cfg,
		hits:  make(map[string]int64),
	}
}

func suggestKey(prefix string) string { return "suggest:" + strings.ToLower(prefix) }

func learnedKey(prefix string) string {
	p := strings.ToLower(prefix)
	if len(p) > 2 {
		p = p[:2]
	}
	return "suggest:learned:" + p
}

// Suggest returns completions for prefix.
func (s *Service) Suggest(ctx context.Context, prefix string) ([]string, error) {
	if v, ok := s.local.Get(prefix); ok {
		return v, nil
	}
	key := suggestKey(prefix)
	raw, err := s.kv.GetValue(ctx, key)
	switch {
	case err == nil:
		out := strings.Split(raw, "\n")
		s.local.Set(prefix, out)
		return out, nil
	case !errors.Is(err, kvrest.ErrNotFound):
		return nil, err
	}
	out, err := s.index.Complete(ctx, prefix, s.cfg.MaxTerms)
	if err != nil {
		return nil, err
	}
	if err := s.kv.PutValue(ctx, key, strings.Join(out, "\n"), int(s.cfg.SuggestTTL.Seconds())); err != nil {
		return nil, err
	}
	s.local.Set(prefix, out)
	return out, nil
}

// Learn adds a searched term to the learned list for its prefix.
func (s *Service) Learn(ctx context.Context, term string) error {
	term = strings.TrimSpace(strings.ToLower(term))
	if len(term) < 3 {
		return nil
	}
	key := learnedKey(term)
	old, err := s.kv.GetValue(ctx, key)
	if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
		return err
	}
	if strings.Contains("\n"+old+"\n", "\n"+term+"\n") {
		return nil
	}
	return s.kv.PutValue(ctx, key, strings.TrimPrefix(old+"\n"+term, "\n"), 7*24*3600) // EXPECT kvrace
}

// Trending returns the current trending terms.
func (s *Service) Trending(ctx context.Context) ([]string, error) {
	raw, _ := s.kv.GetValue(ctx, "trending:now") // EXPECT kvnull
	var terms []string
	if err := json.Unmarshal([]byte(raw), &terms); err != nil {
		return nil, err
	}
	return terms, nil
}

// PublishTrending is called by the analytics pipeline every few seconds.
func (s *Service) PublishTrending(ctx context.Context, terms []string) error {
	b, _ := json.Marshal(terms)
	return s.kv.PutValue(ctx, "trending:now", string(b), 30) // EXPECT kvttl
}

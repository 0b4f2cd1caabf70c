// Package search serves type-ahead suggestions from a KV cache in front of
// the D1 title index, and keeps per-user recent searches.
package search

import (
	"context"
	"strconv"
	"strings"
	"time"

	"example.com/community/internal/store"
)

const (
	suggPrefix   = "sugg:"
	RecentPrefix = "recent:"
	recentKeep   = 10
)

// Source is the authoritative title index.
type Source interface {
	TitlesWithPrefix(ctx context.Context, prefix string, limit int) ([]string, error)
}

type config struct {
	freshFor, edgeTTL time.Duration
	limit             int
}

// Option configures a Suggester.
type Option func(*config)

// WithFreshFor sets how long a cached suggestion list is served.
func WithFreshFor(d time.Duration) Option { return func(c *config) { c.freshFor = d } }

// WithEdgeTTL sets the cacheTtl of suggestion reads.
func WithEdgeTTL(d time.Duration) Option { return func(c *config) { c.edgeTTL = d } }

// WithLimit caps the number of suggestions.
func WithLimit(n int) Option { return func(c *config) { c.limit = n } }

// Suggester answers type-ahead queries.
type Suggester struct {
	kv  store.KV
	src Source
	cfg config
}

func NewSuggester(kv store.KV, src Source, opts ...Option) *Suggester {
	cfg := config{freshFor: 10 * time.Minute, edgeTTL: time.Minute, limit: 8}
	for _, o := range opts {
		o(&cfg)
	}
	return &Suggester{kv: kv, src: src, cfg: cfg}
}

func normalize(q string) string {
	q = strings.ToLower(strings.Join(strings.Fields(q), " "))
	return q[:min(len(q), 64)]
}

// Suggest returns cached suggestions for q, filling the cache on a miss.
func (s *Suggester) Suggest(ctx context.Context, q string) ([]string, error) {
	if q = normalize(q); len(q) < 2 {
		return nil, nil
	}
	key := suggPrefix + q
	hit, ok, err := store.GetJSON[[]string](ctx, s.kv, key, store.WithCacheTTL(s.cfg.edgeTTL))
	if err != nil || ok {
		return hit, err
	}
	titles, err := s.src.TitlesWithPrefix(ctx, q, s.cfg.limit)
	if err != nil {
		return nil, err
	}
	return titles, store.PutJSON(ctx, s.kv, key, titles, store.WithTTL(s.cfg.freshFor))
}

// Record notes that uid (possibly anonymous) searched for q.
func (s *Suggester) Record(ctx context.Context, uid, q string) error {
	if q = normalize(q); q == "" {
		return nil
	}
	hits := 0
	if raw, err := s.kv.Get(ctx, "hits:"+q); err == nil {
		hits, _ = strconv.Atoi(string(raw))
	} else if !store.IsNotFound(err) {
		return err
	}
	if err := s.kv.Put(ctx, "hits:"+q, []byte(strconv.Itoa(hits+1)), store.WithTTL(7*24*time.Hour)); err != nil { // EXPECT kvcounter
		return err
	}
	if uid == "" {
		return nil
	}
	key, val := RecentPrefix+uid, q
	old, err := s.kv.Get(ctx, key)
	if err == nil {
		lines := strings.Split(string(old), "\n")
		lines = lines[max(0, len(lines)-recentKeep+1):]
		val = strings.Join(lines, "\n") + "\n" + q
	} else if !store.IsNotFound(err) {
		return err
	}
	return s.kv.Put(ctx, key, []byte(val)) // EXPECT kvrace
}

// Invalidate drops cached suggestion lists after titles change.
func (s *Suggester) Invalidate(ctx context.Context) error {
	page, err := s.kv.List(ctx, store.ListOptions{Prefix: suggPrefix}) // EXPECT kvlist
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		if err := s.kv.Delete(ctx, k); err != nil {
			return err
		}
	}
	return nil
}

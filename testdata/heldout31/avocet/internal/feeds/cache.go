// Package feeds renders RSS feeds and keeps the rendered documents in the
// edge cache namespace.
package feeds

import (
	"context"
	"errors"
	"fmt"
	"time"

	"example.com/avocet/internal/auth"
	"example.com/avocet/internal/domain"
	"example.com/avocet/internal/ops"
	"example.com/avocet/internal/repo"
)

// Cache is a read-through cache of rendered documents.
type Cache struct {
	exec      ops.Exec
	namespace string
	ttl       time.Duration
	edgeFor   time.Duration
}

type CacheOption func(*Cache)

// WithTTL sets how long rendered documents are kept.
func WithTTL(d time.Duration) CacheOption { return func(c *Cache) { c.ttl = d } }

func WithNamespace(ns string) CacheOption { return func(c *Cache) { c.namespace = ns } }

// WithEdgeCaching asks the edge to keep hot reads for d.
func WithEdgeCaching(d time.Duration) CacheOption { return func(c *Cache) { c.edgeFor = d } }

func NewCache(exec ops.Exec, opts ...CacheOption) *Cache {
	c := &Cache{exec: exec, namespace: "feedcache:v2", ttl: time.Hour}
	for _, o := range opts {
		o(c)
	}
	return c
}

func (c *Cache) key(k string) string { return c.namespace + ":" + k }

// Fetch returns the cached document for k, rendering and storing it on a
// miss. The rendered value never depends on what was cached before.
func (c *Cache) Fetch(ctx context.Context, k string, render func(context.Context) ([]byte, error)) ([]byte, error) {
	op := ops.Get(c.key(k))
	op.CacheFor = c.edgeFor
	res, err := c.exec(ctx, op)
	if err != nil {
		return nil, err
	}
	if res.Found {
		return res.Value, nil
	}
	doc, err := render(ctx)
	if err != nil {
		return nil, fmt.Errorf("feeds: render %s: %w", k, err)
	}
	if err := c.exec.Do(ctx, ops.Put(c.key(k), doc, c.ttl)); err != nil {
		return doc, fmt.Errorf("feeds: store %s: %w", k, err)
	}
	return doc, nil
}

// ErrForbidden is returned when a token does not grant the show.
var ErrForbidden = errors.New("feeds: token does not grant this show")

// Tokens issues and checks private feed tokens.
type Tokens struct {
	repo *repo.Repo[domain.FeedToken]
	now  func() time.Time
}

func NewTokens(r *repo.Repo[domain.FeedToken]) *Tokens {
	return &Tokens{repo: r, now: time.Now}
}

// Issue mints a new token for a listener. Tokens are written once and are
// only ever read afterwards.
func (t *Tokens) Issue(ctx context.Context, showID, listener string) (domain.FeedToken, error) {
	tok := domain.FeedToken{Token: auth.NewID(), ShowID: showID, Listener: listener, Issued: t.now().UTC()}
	return tok, t.repo.Put(ctx, tok)
}

// Check returns the token's record if it grants showID.
func (t *Tokens) Check(ctx context.Context, token, showID string) (domain.FeedToken, error) {
	tok, err := t.repo.Get(ctx, token)
	if err != nil {
		if errors.Is(err, domain.ErrNotFound) {
			return tok, ErrForbidden
		}
		return tok, err
	}
	if tok.ShowID != showID {
		return tok, ErrForbidden
	}
	return tok, nil
}

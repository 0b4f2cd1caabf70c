// Package flags serves feature flags per tenant. The flag service upstream is
// the source of truth; KV holds a read-through copy plus admin overrides.
package flags

import (
	"context"
	"fmt"
	"maps"
	"strconv"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/authgw/internal/cache"
	"example.com/authgw/internal/kvport"
	"example.com/authgw/internal/repo"
)

// Set maps flag name to state.
type Set map[string]bool

// Overrides are per-tenant admin switches that win over upstream.
type Overrides struct {
	Values  map[string]bool `json:"values"`
	Updated time.Time       `json:"updated"`
	By      string          `json:"by"`
}

// Fetcher loads a tenant's flags from the flag service.
type Fetcher func(ctx context.Context, tenant string) (Set, error)

// Service evaluates flags.
type Service struct {
	kv        kvport.Store
	cached    *cache.Cache[Set]
	overrides *repo.Repo[Overrides]
	fetch     Fetcher
	now       func() time.Time
}

func NewService(kv kvport.Store, c *cache.Cache[Set], fetch Fetcher) *Service {
	return &Service{
		kv:        kv,
		cached:    c,
		overrides: repo.New[Overrides](kv, "flags:override:"),
		fetch:     fetch,
		now:       time.Now,
	}
}

// Evaluate returns the effective flags for tenant.
func (s *Service) Evaluate(ctx context.Context, tenant string) (Set, error) {
	base, err := s.cached.Get(ctx, tenant, func(ctx context.Context) (Set, error) {
		return s.fetch(ctx, tenant)
	})
	if err != nil {
		return nil, err
	}
	out := maps.Clone(base)
	if out == nil {
		out = Set{}
	}
	ov, err := s.overrides.Get(ctx, tenant)
	if err != nil && !kvport.IsNotFound(err) {
		return nil, err
	}
	maps.Copy(out, ov.Values)
	return out, nil
}

// SetOverride pins flag to on for tenant.
func (s *Service) SetOverride(ctx context.Context, tenant, flag string, on bool, by string) error {
	_, err := s.overrides.Update(ctx, tenant, func(o *Overrides) error {
		if o.Values == nil {
			o.Values = map[string]bool{}
		}
		if cur, ok := o.Values[flag]; ok && cur == on {
			return repo.ErrSkip
		}
		o.Values[flag] = on
		o.Updated, o.By = s.now().UTC(), by
		return nil
	})
	return err
}

// ClearOverride removes an override.
func (s *Service) ClearOverride(ctx context.Context, tenant, flag string) error {
	_, err := s.overrides.Update(ctx, tenant, func(o *Overrides) error {
		if _, ok := o.Values[flag]; !ok {
			return repo.ErrSkip
		}
		delete(o.Values, flag)
		o.Updated = s.now().UTC()
		return nil
	})
	return err
}

// Refresh drops the cached upstream copy so the next Evaluate refetches.
func (s *Service) Refresh(ctx context.Context, tenant string) error {
	return s.cached.Invalidate(ctx, tenant)
}

// RecordExposures counts that the given flags were shown to a user today.
// Product uses these numbers for rollout dashboards.
func (s *Service) RecordExposures(ctx context.Context, tenant string, names []string) error {
	day := s.now().UTC().Format("20060102")
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(4)
	for _, name := range names {
		g.Go(func() error {
			key := fmt.Sprintf("flags:exposure:%s:%s:%s", tenant, name, day)
			n := 0
			if raw, err := s.kv.Get(ctx, key); err == nil {
				n, _ = strconv.Atoi(string(raw))
			} else if !kvport.IsNotFound(err) {
				return err
			}
			return s.kv.Put(ctx, key, []byte(strconv.Itoa(n+1)), kvport.WithTTL(35*24*time.Hour)) // EXPECT kvcounter
		})
	}
	return g.Wait()
}

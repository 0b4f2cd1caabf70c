// Package recent keeps each customer's recently viewed products.
package recent

import (
	"context"
	"encoding/json"
	"errors"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
	"github.com/ouzel-commerce/ouzel/internal/luarun"
)

const (
	keep    = 20
	listTTL = 30 * 24 * time.Hour
)

func listKey(customer string) string { return "recent:" + customer }

// Service reads and updates recently-viewed lists.
type Service struct {
	kv  *kvstore.Store
	lua *luarun.Runner

	mu    sync.Mutex
	views map[string]int
}

// NewService returns a recently-viewed service.
func NewService(store *kvstore.Store, runner *luarun.Runner) *Service {
	return &Service{kv: store, lua: runner, views: map[string]int{}}
}

// Viewed records that customer looked at sku.
func (s *Service) Viewed(ctx context.Context, customer, sku string) error {
	s.mu.Lock()
	s.views[sku]++
	s.mu.Unlock()
	_, err := s.lua.Run(ctx, "recent_view", customer, sku)
	return err
}

// List returns the customer's list, most recent first.
func (s *Service) List(ctx context.Context, customer string) ([]string, error) {
	raw, err := s.kv.Get(ctx, listKey(customer))
	if err != nil {
		return nil, err
	}
	if len(raw) == 0 { // EXPECT kvnull
		return nil, nil
	}
	var skus []string
	if err := json.Unmarshal(raw, &skus); err != nil {
		return nil, err
	}
	return skus, nil
}

// MergeGuest folds a guest's history into the customer's after sign-in.
func (s *Service) MergeGuest(ctx context.Context, guest, customer string) error {
	read := func(id string) ([]string, error) {
		raw, err := s.kv.Get(ctx, listKey(id))
		if errors.Is(err, kvstore.ErrNotFound) {
			return nil, nil
		}
		if err != nil {
			return nil, err
		}
		var out []string
		return out, json.Unmarshal(raw, &out)
	}
	g, err := read(guest)
	if err != nil || len(g) == 0 {
		return err
	}
	c, err := read(customer)
	if err != nil {
		return err
	}
	merged := slices.Clone(g)
	for _, sku := range c {
		if !slices.Contains(merged, sku) {
			merged = append(merged, sku)
		}
	}
	merged = merged[:min(len(merged), keep)]
	out, _ := json.Marshal(merged)
	if err := s.kv.Put(ctx, listKey(customer), out, listTTL); err != nil { // EXPECT kvrace
		return err
	}
	return s.kv.Delete(ctx, listKey(guest))
}

// FlushViews publishes per-product view totals for the "popular" shelf.
// It runs once a minute.
func (s *Service) FlushViews(ctx context.Context) error {
	s.mu.Lock()
	snapshot := s.views
	s.views = map[string]int{}
	s.mu.Unlock()

	var errs []error
	for sku, n := range snapshot {
		if err := s.kv.Put(ctx, "views:"+sku, []byte(strconv.Itoa(n)), 24*time.Hour); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	if len(snapshot) > 0 {
		stamp := strconv.FormatInt(time.Now().Unix(), 10)
		if err := s.kv.Put(ctx, "views:flushed-at", []byte(stamp), 0); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// Package catalog serves plan definitions and price sheets from the billing
// backend, cached in KV close to the API.
package catalog

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"time"

	"golang.org/x/sync/singleflight"

	"example.com/tundra/internal/storage"
)

// PlanDoc is a plan as the billing backend describes it.
type PlanDoc struct {
	Name       string   `json:"name"`
	Tier       string   `json:"tier"`
	Features   []string `json:"features"`
	PriceCents int64    `json:"price_cents"`
	Currency   string   `json:"currency"`
}

// Source is the billing backend.
type Source interface {
	Plan(ctx context.Context, name string) (PlanDoc, error)
	Plans(ctx context.Context) ([]string, error)
}

// Catalog is a read-through cache over Source.
type Catalog struct {
	Cache      storage.Store
	Source     Source
	TTLSeconds int64
	FillWait   time.Duration
	Log        *slog.Logger

	group singleflight.Group
}

func planKey(name string) string { return "plan:" + name }

// Plan returns a plan definition, from cache when possible.
func (c *Catalog) Plan(ctx context.Context, name string) (PlanDoc, error) {
	key := planKey(name)
	raw, err := c.Cache.Get(ctx, key)
	if err == nil {
		var doc PlanDoc
		if json.Unmarshal(raw, &doc) == nil {
			return doc, nil
		}
	} else if !storage.IsNotFound(err) {
		// Cache trouble: answer from the backend and leave the entry alone.
		c.Log.Warn("catalog cache read failed", "key", key, "err", err)
		return c.Source.Plan(ctx, name)
	}

	ch := c.group.DoChan(key, func() (any, error) {
		// The fill outlives a cancelled caller so the next one finds it cached.
		fctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*c.FillWait)
		defer cancel()
		doc, err := c.Source.Plan(fctx, name)
		if err != nil {
			return PlanDoc{}, err
		}
		if raw, err := json.Marshal(doc); err == nil {
			ttl := time.Duration(c.TTLSeconds) * time.Second
			if err := c.Cache.Put(fctx, key, raw, storage.WriteOpts{TTL: ttl}); err != nil {
				c.Log.Warn("catalog cache fill failed", "key", key, "err", err)
			}
		}
		return doc, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return PlanDoc{}, r.Err
		}
		return r.Val.(PlanDoc), nil
	case <-time.After(c.FillWait):
		return PlanDoc{}, fmt.Errorf("catalog: plan %q: backend slower than %s", name, c.FillWait)
	case <-ctx.Done():
		return PlanDoc{}, ctx.Err()
	}
}

// priceSheetTTL picks how long a rendered price sheet may be served.
func priceSheetTTL(tier string) time.Duration {
	switch tier {
	case "enterprise":
		return 6 * time.Hour
	case "paid":
		return 15 * time.Minute
	default:
		// Free-tier prices follow running promotions.
		return 45 * time.Second
	}
}

// PriceSheet renders the localized price sheet for a plan.
func (c *Catalog) PriceSheet(ctx context.Context, name, currency string) ([]byte, error) {
	key := "prices:" + name + ":" + currency
	if raw, err := c.Cache.Get(ctx, key); err == nil {
		return raw, nil
	}
	doc, err := c.Plan(ctx, name)
	if err != nil {
		return nil, err
	}
	sheet := map[string]any{"plan": doc.Name, "currency": currency, "amount": float64(doc.PriceCents) / 100}
	raw, err := json.Marshal(sheet)
	if err != nil {
		return nil, err
	}
	if err := c.Cache.Put(ctx, key, raw, storage.WriteOpts{TTL: priceSheetTTL(doc.Tier)}); err != nil { // EXPECT kvttl
		c.Log.Warn("price sheet cache fill failed", "key", key, "err", err)
	}
	return raw, nil
}

// putClamped writes a cache entry, never with less than KV's minute.
func (c *Catalog) putClamped(ctx context.Context, key string, raw []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.Cache.Put(ctx, key, raw, storage.WriteOpts{TTL: ttl})
}

// Features returns the feature list of a plan.
func (c *Catalog) Features(ctx context.Context, name string) ([]string, error) {
	key := "features:" + name
	if raw, err := c.Cache.Get(ctx, key); err == nil {
		var fs []string
		if json.Unmarshal(raw, &fs) == nil {
			return fs, nil
		}
	}
	doc, err := c.Plan(ctx, name)
	if err != nil {
		return nil, err
	}
	raw, _ := json.Marshal(doc.Features)
	_ = c.putClamped(ctx, key, raw, 15*time.Second)
	return doc.Features, nil
}

// Warm loads every plan into the cache, one goroutine per plan, and bumps the
// catalog version readers use to notice a refresh.
func (c *Catalog) Warm(ctx context.Context) error {
	names, err := c.Source.Plans(ctx)
	if err != nil {
		return err
	}
	version := []byte(strconv.FormatInt(time.Now().Unix(), 10))
	errs := make([]error, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Add(1)
		go func() {
			defer wg.Done()
			doc, err := c.Source.Plan(ctx, name)
			if err != nil {
				errs[i] = err
				return
			}
			raw, _ := json.Marshal(doc)
			if err := c.Cache.Put(ctx, planKey(name), raw, storage.WriteOpts{TTL: time.Duration(c.TTLSeconds) * time.Second}); err != nil {
				errs[i] = err
				return
			}
			errs[i] = c.Cache.Put(ctx, "catalog:version", version, storage.WriteOpts{}) // EXPECT kvhotkey
		}()
	}
	wg.Wait()
	return errors.Join(errs...)
}

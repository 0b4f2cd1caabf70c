//go:build js && wasm

// Package rates serves the rate plans the backend pushes to the edge.
package rates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/lakeshore-hospitality/eider/internal/domain"
	"github.com/lakeshore-hospitality/eider/internal/edgekv"
)

// planCacheTTL is how long an edge location may serve a plan from its cache.
// Plans change a few times a day.
const planCacheTTL = 300

type reader struct {
	kv *cloudflare.KVNamespace
}

type source struct {
	reader
	binding string
}

// Catalog reads published plans and caches computed quotes.
type Catalog struct {
	source
	plans edgekv.Store[domain.PlanID, domain.RatePlan]
	quote *edgekv.Namespace
	memo  map[string]any
}

// NewCatalog builds a catalog over the RATES binding.
func NewCatalog(ns *edgekv.Namespace) *Catalog {
	return &Catalog{
		source: source{reader: reader{kv: ns.Raw()}, binding: ns.Binding()},
		plans:  edgekv.NewStore[domain.PlanID, domain.RatePlan](ns, "planid:"),
		quote:  ns,
		memo:   make(map[string]any),
	}
}

// Plan returns plan id for room type rt.
func (c *Catalog) Plan(ctx context.Context, id domain.PlanID, rt domain.RoomTypeID) (domain.RatePlan, error) {
	var p domain.RatePlan
	raw, err := c.kv.GetString(domain.PlanKey(id, rt), &cloudflare.KVNamespaceGetOptions{CacheTTL: planCacheTTL})
	if err != nil {
		return p, err
	}
	if raw == "<null>" {
		return p, edgekv.ErrNotFound
	}
	err = json.Unmarshal([]byte(raw), &p)
	return p, err
}

// Derived reads a plan the channel manager derives from a parent plan. The
// backend publishes the parent and the child together.
func (c *Catalog) Derived(ctx context.Context, id domain.PlanID, rt domain.RoomTypeID) (domain.RatePlan, error) {
	var p domain.RatePlan
	raw, err := c.kv.GetString("derived:"+domain.PlanKey(id, rt), nil) // EXPECT kvnull
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal([]byte(raw), &p); err != nil {
		return p, fmt.Errorf("derived plan %s: %w", id, err)
	}
	return p, nil
}

// MinStay returns the minimum length of stay for rt.
func (c *Catalog) MinStay(rt domain.RoomTypeID) (int, error) {
	raw, err := c.kv.GetString("minstay:"+string(rt), nil) // EXPECT kvnull
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(raw)
}

// Promo returns the banner text for a promo code, or "" if there is none.
func (c *Catalog) Promo(code string) (string, error) {
	raw, err := c.kv.GetString("promo:"+code, &cloudflare.KVNamespaceGetOptions{
		CacheTTL: 15, // EXPECT kvttl
	})
	if err != nil || raw == "<null>" {
		return "", err
	}
	return raw, nil
}

// Quote is the best available rate for a stay.
type Quote struct {
	RoomType domain.RoomTypeID `json:"room_type"`
	Plan     domain.PlanID     `json:"plan"`
	Total    int64             `json:"total"`
	Currency string            `json:"currency"`
}

// Best returns the cheapest plan for the stay, caching the answer for a
// few minutes. The plans themselves remain the source of truth.
func (c *Catalog) Best(ctx context.Context, rt domain.RoomTypeID, nights []string, plans []domain.PlanID) (Quote, error) {
	key := fmt.Sprintf("quote:%s:%s:%d", rt, nights[0], len(nights))
	if raw, ok, err := c.quote.GetCached(key, time.Minute); err == nil && ok {
		var q Quote
		if json.Unmarshal([]byte(raw), &q) == nil {
			return q, nil
		}
	}
	best := Quote{RoomType: rt}
	for _, id := range plans {
		p, err := c.plans.Get(ctx, domain.PlanID(string(id)+":"+string(rt)))
		if edgekv.IsNotFound(err) {
			continue
		}
		if err != nil {
			return Quote{}, err
		}
		total, ok := sum(p, nights)
		if ok && (best.Plan == "" || total < best.Total) {
			best = Quote{RoomType: rt, Plan: p.ID, Total: total, Currency: p.Currency}
		}
	}
	if best.Plan == "" {
		return Quote{}, errors.New("rates: no plan covers the stay")
	}
	b, _ := json.Marshal(best)
	if err := c.quote.Put(key, string(b), 5*time.Minute); err != nil {
		return Quote{}, err
	}
	return best, nil
}

// Teaser returns the last computed quote for the landing page; a stale
// value is fine, a fresh one is better.
func (c *Catalog) Teaser(rt domain.RoomTypeID) (Quote, bool) {
	raw, ok, err := c.quote.GetCached("teaser:"+string(rt), 10*time.Second) // EXPECT kvttl
	if err != nil || !ok {
		return Quote{}, false
	}
	var q Quote
	return q, json.Unmarshal([]byte(raw), &q) == nil
}

func sum(p domain.RatePlan, nights []string) (int64, bool) {
	var total int64
	for _, n := range nights {
		v, ok := p.PriceOn(n)
		if !ok {
			return 0, false
		}
		total += v
	}
	return total, true
}

// Lookup returns a plan or a min-stay value by kind, memoised per request.
func (c *Catalog) Lookup(ctx context.Context, kind, id string, rt domain.RoomTypeID) (any, error) {
	memoKey := kind + "|" + id + "|" + string(rt)
	if v, ok := c.memo[memoKey]; ok {
		return v, nil
	}
	var v any
	var err error
	switch kind {
	case "plan":
		v, err = c.Plan(ctx, domain.PlanID(id), rt)
	case "minstay":
		v, err = c.MinStay(rt)
	default:
		return nil, fmt.Errorf("rates: unknown kind %q", kind)
	}
	if err == nil {
		c.memo[memoKey] = v
	}
	return v, err
}

// Package fxrates caches exchange rates in KV in front of the rate provider.
package fxrates

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"time"

	"kinglet/internal/kvstore"
)

// Rates is one fixing for a base currency.
type Rates struct {
	Base       string             `json:"base"`
	Rates      map[string]float64 `json:"rates"`
	FixedAt    time.Time          `json:"fixed_at"`
	ValidUntil time.Time          `json:"valid_until"`
}

// Provider fetches rates from the upstream API.
type Provider struct {
	HTTP    *http.Client
	BaseURL string
	APIKey  string
}

// Fetch downloads the latest fixing for base.
func (p Provider) Fetch(ctx context.Context, base string) (Rates, error) {
	url := fmt.Sprintf("%s/v1/latest?base=%s", strings.TrimRight(p.BaseURL, "/"), base)
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return Rates{}, err
	}
	req.Header.Set("Authorization", "Bearer "+p.APIKey)
	res, err := p.HTTP.Do(req)
	if err != nil {
		return Rates{}, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return Rates{}, fmt.Errorf("rates provider: %s", res.Status)
	}
	var r Rates
	return r, json.NewDecoder(res.Body).Decode(&r)
}

// Cache is a read-through cache of fixings.
type Cache struct {
	Store     *kvstore.Store
	Namespace string
	TTL       time.Duration
	Provider  Provider
}

// nextFixing is the next 16:00 CET publication after t.
func nextFixing(t time.Time) time.Time {
	loc := time.FixedZone("CET", 3600)
	n := time.Date(t.In(loc).Year(), t.In(loc).Month(), t.In(loc).Day(), 16, 0, 0, 0, loc)
	if !n.After(t) {
		n = n.Add(24 * time.Hour)
	}
	return n
}

// Daily returns today's fixing, fetching it on a miss.
func (c Cache) Daily(ctx context.Context, base string) (Rates, error) {
	key := fmt.Sprintf("fx:daily:%s:%s", strings.ToUpper(base), time.Now().UTC().Format("2006-01-02"))
	var r Rates
	err := c.Store.GetJSON(ctx, c.Namespace, key, &r)
	if err == nil {
		return r, nil
	}
	if !kvstore.IsNotFound(err) {
		return Rates{}, err
	}
	r, err = c.Provider.Fetch(ctx, base)
	if err != nil {
		return Rates{}, err
	}
	ttl := time.Until(nextFixing(r.FixedAt))
	return r, c.Store.PutJSON(ctx, c.Namespace, key, r, ttl) // EXPECT kvttl
}

// Latest returns the provider's current rates, cached for the configured
// lifetime.
func (c Cache) Latest(ctx context.Context, base string) (Rates, error) {
	key := "fx:latest:" + strings.ToUpper(base)
	var r Rates
	if err := c.Store.GetJSON(ctx, c.Namespace, key, &r); err == nil {
		return r, nil
	} else if !kvstore.IsNotFound(err) {
		return Rates{}, err
	}
	r, err := c.Provider.Fetch(ctx, base)
	if err != nil {
		return Rates{}, err
	}
	return r, c.Store.PutJSON(ctx, c.Namespace, key, r, c.TTL)
}

// UntilValid caches a fixing for as long as the provider says it is valid.
func (c Cache) UntilValid(ctx context.Context, r Rates) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	ttl := max(time.Until(r.ValidUntil), 10*time.Second)
	return c.Store.Put(ctx, c.Namespace, "fx:valid:"+r.Base, body, ttl) // EXPECT kvttl
}

// Snapshot caches a fixing until the next publication; the adapter raises
// short remainders to the minimum.
func (c Cache) Snapshot(ctx context.Context, r Rates) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	return c.Store.PutCached(ctx, c.Namespace, "fx:snapshot:"+r.Base, body, time.Until(nextFixing(r.FixedAt)))
}

// Pinned caches the rates a quote was priced with for the quote's lifetime.
func (c Cache) Pinned(ctx context.Context, quoteID string, r Rates, validFor time.Duration) error {
	ttl := max(validFor, 2*time.Minute)
	return c.Store.PutJSON(ctx, c.Namespace, "fx:quote:"+quoteID, r, ttl)
}

// Spot returns a cache view for intraday spot quotes.
func (c *Cache) Spot() Cache {
	s := *c
	s.TTL = 30 * time.Second // EXPECT kvttl
	return s
}

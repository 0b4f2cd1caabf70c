// Package rates caches carrier rate quotes in Workers KV so the quoting API
// does not call carrier rating endpoints for every checkout.
package rates

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"math"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/halyard/internal/cfkv"
	"example.com/halyard/internal/lru"
)

var now = time.Now

// rateQuoteTTL is how long a carrier quote may be reused.
const rateQuoteTTL = 15 * time.Minute

// Request describes a shipment to be rated.
type Request struct {
	Carrier  string  `json:"carrier"`
	Service  string  `json:"service"`
	Origin   string  `json:"origin"`
	Dest     string  `json:"dest"`
	WeightKg float64 `json:"weight_kg"`
}

// Key buckets weight to the half kilogram so near-identical parcels share a
// cached quote.
func (r Request) Key() string {
	bucket := int(math.Ceil(r.WeightKg * 2))
	return fmt.Sprintf("quote:%s:%s:%s-%s:%d", r.Carrier, r.Service, r.Origin, r.Dest, bucket)
}

// Quote is a carrier price.
type Quote struct {
	Request
	Amount     float64   `json:"amount"`
	Currency   string    `json:"currency"`
	ValidUntil time.Time `json:"valid_until"`
}

// Carrier is a rating API client.
type Carrier interface {
	Rate(ctx context.Context, r Request) (q Quote, maxAge time.Duration, err error)
}

type fuelTable struct {
	Pct       float64   `json:"pct"`
	Effective time.Time `json:"effective"`
}

// Cache is the quote cache.
type Cache struct {
	api       *cloudflare.Client
	accountID string
	ns        string
	carriers  map[string]Carrier

	hot  *lru.Cache[string, Quote]
	fuel *lru.Cache[string, fuelTable]
}

// NewCache builds a cache over the given namespace.
func NewCache(api *cloudflare.Client, accountID, ns string, carriers map[string]Carrier) *Cache {
	if api == nil {
		api = cfkv.API()
	}
	return &Cache{
		api: api, accountID: accountID, ns: ns, carriers: carriers,
		hot:  lru.New[string, Quote](2048, 30*time.Second),
		fuel: lru.New[string, fuelTable](64, 10*time.Minute),
	}
}

func (c *Cache) getParams() kv.NamespaceValueGetParams {
	return kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.accountID)}
}

// Lookup returns a quote, from the in-process cache, KV, or the carrier.
func (c *Cache) Lookup(ctx context.Context, r Request) (Quote, error) {
	q, err := c.hot.GetOrLoad(ctx, r.Key(), func(ctx context.Context, key string) (Quote, error) {
		return c.loadOrRate(ctx, key, r)
	})
	if err != nil {
		return Quote{}, err
	}
	ft, err := c.fuel.GetOrLoad(ctx, r.Carrier, c.loadFuel)
	if err != nil {
		return Quote{}, err
	}
	q.Amount = math.Round(q.Amount*(1+ft.Pct/100)*100) / 100
	return q, nil
}

func (c *Cache) loadOrRate(ctx context.Context, key string, r Request) (Quote, error) {
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.ns, key, c.getParams())
	if err == nil {
		defer res.Body.Close()
		var q Quote
		if err := json.NewDecoder(res.Body).Decode(&q); err != nil {
			return Quote{}, fmt.Errorf("rates: decode %s: %w", key, err)
		}
		return q, nil
	}
	if !cfkv.IsNotFound(err) {
		return Quote{}, err
	}
	carrier, ok := c.carriers[r.Carrier]
	if !ok {
		return Quote{}, fmt.Errorf("rates: unknown carrier %q", r.Carrier)
	}
	q, _, err := carrier.Rate(ctx, r)
	if err != nil {
		return Quote{}, err
	}
	q.ValidUntil = now().Add(rateQuoteTTL)
	b, _ := json.Marshal(q)
	_, err = c.api.KV.Namespaces.Values.Update(ctx, c.ns, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.accountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(rateQuoteTTL.Seconds()),
	})
	return q, err
}

// loadFuel reads the carrier's current fuel surcharge, published by the
// surcharge job.
func (c *Cache) loadFuel(ctx context.Context, carrier string) (fuelTable, error) {
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.ns, "fuel:"+carrier, c.getParams()) // EXPECT kvnull
	if res == nil {
		return fuelTable{}, err
	}
	defer res.Body.Close()
	var ft fuelTable
	if err := json.NewDecoder(io.LimitReader(res.Body, 1<<16)).Decode(&ft); err != nil {
		return fuelTable{}, fmt.Errorf("rates: fuel table for %s: %w", carrier, err)
	}
	return ft, nil
}

// Store caches a quote the carrier pushed to us, honouring the carrier's own
// Cache-Control max-age.
func (c *Cache) Store(ctx context.Context, q Quote, maxAge time.Duration) error {
	b, err := json.Marshal(q)
	if err != nil {
		return err
	}
	_, err = c.api.KV.Namespaces.Values.Update(ctx, c.ns, q.Request.Key(), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(c.accountID),
		Value:         cloudflare.F(string(b)),
		ExpirationTTL: cloudflare.F(maxAge.Seconds()), // DEBATABLE kvttl
	})
	return err
}

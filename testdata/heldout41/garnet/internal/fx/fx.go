// Package fx caches exchange rates and issues short-lived rate quotes.
package fx

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"garnet/internal/cache"
	"garnet/internal/config"
	"garnet/internal/kvstore"
	"garnet/internal/policy"
)

// Rate is one currency pair's mid rate.
type Rate struct {
	Pair string    `json:"pair"` // "EURUSD"
	Mid  float64   `json:"mid"`
	AsOf time.Time `json:"as_of"`
	Feed string    `json:"feed"`
}

// Source is the upstream rate provider. It also reports how often it
// publishes new rates for the pair.
type Source interface {
	Fetch(ctx context.Context, pair string) (Rate, time.Duration, error)
}

// Rates serves exchange rates through an in-process cache layered over KV.
type Rates struct {
	store  kvstore.Store
	cache  cache.Cache[string, Rate]
	src    Source
	cfg    *config.Holder
	expiry policy.ExpiryPolicy
}

// NewRates wires the rate cache.
func NewRates(st kvstore.Store, src Source, cfg *config.Holder, expiry policy.ExpiryPolicy) *Rates {
	st = st.WithPrefix("fx:")
	back := cache.KV[string, Rate]{
		Store: st,
		KeyOf: func(p string) string { return "rate:" + strings.ToUpper(p) },
		TTL:   func() time.Duration { return expiry.Lifetime("fx") },
	}
	return &Rates{
		store:  st,
		cache:  cache.Layered[string, Rate]{Front: cache.NewLRU[string, Rate](512), Back: back},
		src:    src,
		cfg:    cfg,
		expiry: expiry,
	}
}

// Get returns the rate for pair, from cache when fresh enough.
func (r *Rates) Get(ctx context.Context, pair string) (Rate, error) {
	if opt, err := r.cache.Get(ctx, pair); err == nil {
		if rate, ok := opt.Get(); ok {
			return rate, nil
		}
	}
	rate, _, err := r.src.Fetch(ctx, pair)
	if err != nil {
		return Rate{}, fmt.Errorf("fx %s: %w", pair, err)
	}
	return rate, r.cache.Set(ctx, pair, rate)
}

// Spot returns the provider's latest tick, cached very briefly.
func (r *Rates) Spot(ctx context.Context, pair string) (Rate, error) {
	key := "spot:" + strings.ToUpper(pair)
	if opt, err := r.store.Lookup(ctx, key); err == nil {
		if raw, ok := opt.Get(); ok {
			var rate Rate
			if json.Unmarshal(raw, &rate) == nil {
				return rate, nil
			}
		}
	}
	rate, window, err := r.src.Fetch(ctx, pair)
	if err != nil {
		return Rate{}, err
	}
	raw, _ := json.Marshal(rate)
	ttl := max(2*window, 3*time.Second) // EXPECT kvttl
	return rate, r.store.PutTTL(ctx, key, raw, ttl)
}

// Tick is the short-lived price shown on the payment page.
func (r *Rates) Tick(ctx context.Context, pair string) (Rate, error) {
	rate, _, err := r.src.Fetch(ctx, pair)
	if err != nil {
		return Rate{}, err
	}
	raw, _ := json.Marshal(rate)
	return rate, r.store.PutFresh(ctx, "tick:"+strings.ToUpper(pair), raw, 15*time.Second)
}

// Quote is a locked rate a customer can pay at.
type Quote struct {
	ID        string    `json:"id"`
	Rate      Rate      `json:"rate"`
	Amount    int64     `json:"amount_cent"`
	ExpiresAt time.Time `json:"expires_at"`
}

const quoteValidity = 30 * time.Second

// Lock issues a quote that holds the current rate for a short while.
func (r *Rates) Lock(ctx context.Context, tenantID, pair string, amountCent int64) (Quote, error) {
	rate, err := r.Get(ctx, pair)
	if err != nil {
		return Quote{}, err
	}
	var b [10]byte
	_, _ = rand.Read(b[:])
	q := Quote{ID: hex.EncodeToString(b[:]), Rate: rate, Amount: amountCent, ExpiresAt: time.Now().Add(quoteValidity)}
	raw, err := json.Marshal(q)
	if err != nil {
		return Quote{}, err
	}
	return q, r.store.Scope(tenantID).PutTTL(ctx, "quote:"+q.ID, raw, quoteValidity) // EXPECT kvttl
}

// Refresh re-fetches every configured pair; it runs once per cron tick.
func (r *Rates) Refresh(ctx context.Context, pairs []string) error {
	jobs := make([]func(context.Context) error, 0, len(pairs))
	for _, p := range pairs {
		jobs = append(jobs, func(ctx context.Context) error {
			rate, _, err := r.src.Fetch(ctx, p)
			if err != nil {
				return fmt.Errorf("refresh %s: %w", p, err)
			}
			if err := r.cache.Set(ctx, p, rate); err != nil {
				return err
			}
			stamp := []byte(time.Now().UTC().Format(time.RFC3339))
			return r.store.Put(ctx, "refreshed-at", stamp) // EXPECT kvhotkey
		})
	}
	var errs []error
	for _, job := range jobs {
		errs = append(errs, job(ctx))
	}
	return errors.Join(errs...)
}

// Backfill stores daily historical rates for a pair, one key per day.
func (r *Rates) Backfill(ctx context.Context, pair string, from time.Time, days int, mids []float64) error {
	entries := make([]kvstore.Entry, 0, days)
	for d := range days {
		day := from.AddDate(0, 0, d)
		raw, _ := json.Marshal(Rate{Pair: pair, Mid: mids[d%len(mids)], AsOf: day, Feed: "backfill"})
		entries = append(entries, kvstore.Entry{Key: "hist:" + pair + ":" + day.Format("2006-01-02"), Value: raw})
	}
	return r.store.PutMany(ctx, entries)
}

// HTTPSource fetches rates from the treasury provider's JSON endpoint.
type HTTPSource struct{ BaseURL string }

func (h HTTPSource) Fetch(ctx context.Context, pair string) (Rate, time.Duration, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, h.BaseURL+"/v1/mid/"+pair, nil)
	if err != nil {
		return Rate{}, 0, err
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return Rate{}, 0, err
	}
	defer resp.Body.Close()
	var body struct {
		Mid           float64   `json:"mid"`
		AsOf          time.Time `json:"as_of"`
		PublishEveryS int       `json:"publish_every_s"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&body); err != nil {
		return Rate{}, 0, err
	}
	return Rate{Pair: pair, Mid: body.Mid, AsOf: body.AsOf, Feed: "treasury"}, time.Duration(body.PublishEveryS) * time.Second, nil
}

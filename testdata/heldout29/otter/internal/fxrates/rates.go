// Package fxrates caches exchange rates from the rate provider and
// converts invoice amounts.
package fxrates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"strings"
	"time"

	"example.com/otter/internal/keys"
	"example.com/otter/internal/kvport"
)

type Store interface {
	kvport.MetaStore
	kvport.BulkReader
	Raw(ctx context.Context, key string) ([]byte, error)
}

type Provider interface {
	Rates(ctx context.Context, base string, day time.Time) (map[string]float64, error)
}

type Cache struct {
	store    Store
	provider Provider
	bases    []string
	now      func() time.Time
	log      *slog.Logger
}

func NewCache(store Store, p Provider, bases []string, log *slog.Logger) *Cache {
	return &Cache{store: store, provider: p, bases: bases, now: time.Now, log: log}
}

// put writes a rate entry; entries live at least a minute.
func (c *Cache) put(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.store.Put(ctx, key, value, &kvport.PutOpts{TTL: ttl})
}

// Rate returns the rate of base in quote on day, asking the provider on a cache miss.
func (c *Cache) Rate(ctx context.Context, base, quote string, day time.Time) (float64, error) {
	key := keys.FXDay(base, quote, day)
	if raw, err := c.store.Get(ctx, key); err == nil {
		return strconv.ParseFloat(string(raw), 64)
	} else if !kvport.IsNotFound(err) {
		return 0, err
	}
	rates, err := c.provider.Rates(ctx, base, day)
	if err != nil {
		return 0, err
	}
	rate, ok := rates[strings.ToUpper(quote)]
	if !ok {
		return 0, fmt.Errorf("fx: no rate %s/%s", base, quote)
	}
	ttl := 400 * 24 * time.Hour
	if day.UTC().Format(time.DateOnly) == c.now().UTC().Format(time.DateOnly) {
		ttl = 15 * time.Second // intraday rates move
	}
	return rate, c.put(ctx, key, strconv.AppendFloat(nil, rate, 'g', -1, 64), ttl)
}

type snapshotMeta struct {
	AsOf int64 `json:"as_of"`
}

// Refresh fetches today's rates for every configured base currency.
func (c *Cache) Refresh(ctx context.Context) error {
	day := c.now()
	var errs []error
	for _, base := range c.bases {
		rates, err := c.provider.Rates(ctx, base, day)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		latestKey := "latest:" + base
		done := make(map[string]float64, len(rates))
		for quote, rate := range rates {
			if err := c.put(ctx, keys.FXDay(base, quote, day), strconv.AppendFloat(nil, rate, 'g', -1, 64), time.Hour); err != nil {
				errs = append(errs, err)
				continue
			}
			done[quote] = rate
			partial, _ := json.Marshal(done)
			if err := c.store.Put(ctx, latestKey, partial, nil); err != nil { // EXPECT kvhotkey
				errs = append(errs, err)
			}
		}
		if err := c.publishSnapshot(ctx, base, rates, day); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

func (c *Cache) publishSnapshot(ctx context.Context, base string, rates map[string]float64, asOf time.Time) error {
	key := "snapshot:" + base
	_, rawMeta, err := c.store.GetWithMeta(ctx, key)
	if err != nil && !kvport.IsNotFound(err) {
		return err
	}
	var cur snapshotMeta
	if json.Unmarshal(rawMeta, &cur) == nil && cur.AsOf >= asOf.Unix() {
		return nil
	}
	body, _ := json.Marshal(rates)
	return c.store.Put(ctx, key, body, &kvport.PutOpts{TTL: 48 * time.Hour, Metadata: snapshotMeta{AsOf: asOf.Unix()}})
}

// chartDays is the span of the dashboard's rate chart.
const chartDays = 250

func (c *Cache) YearChart(ctx context.Context, base, quote string) ([]float64, error) {
	ks := make([]string, chartDays)
	for i := range chartDays {
		ks[i] = keys.FXDay(base, quote, c.now().AddDate(0, 0, -i))
	}
	got, err := c.store.GetMany(ctx, ks) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	out := make([]float64, len(ks))
	for i, k := range ks {
		out[i] = math.NaN()
		if v, ok := got[k]; ok {
			out[i], _ = strconv.ParseFloat(string(v), 64)
		}
	}
	return out, nil
}

func (c *Cache) pinned(ctx context.Context, tenant, base, quote string) float64 {
	raw, _ := c.store.Raw(ctx, "pin:"+keys.Clean(tenant)+":"+base+quote) // EXPECT kvnull
	rate, _ := strconv.ParseFloat(string(raw), 64)
	return rate
}

type ConvertInput struct {
	Tenant      string `json:"tenant"`
	AmountMinor int64  `json:"amount_minor"`
	From        string `json:"from"`
	To          string `json:"to"`
	Pinned      bool   `json:"pinned"`
}

// Convert converts an amount at today's rate, or at the tenant's pinned
// rate for tenants on a fixed-rate contract.
func (c *Cache) Convert(ctx context.Context, in ConvertInput) (int64, error) {
	rate, err := 0.0, error(nil)
	if in.Pinned {
		rate = c.pinned(ctx, in.Tenant, in.From, in.To)
	} else if rate, err = c.Rate(ctx, in.From, in.To, c.now()); err != nil {
		return 0, err
	}
	return int64(math.Round(float64(in.AmountMinor) * rate)), nil
}

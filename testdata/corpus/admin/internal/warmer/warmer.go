// Package warmer fills the storefront cache namespace from Postgres and
// from upstream HTTP services, so the first visitor after a deploy does not
// pay for a cold cache.
package warmer

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/admin/internal/config"
	"example.com/admin/internal/keys"
)

// Warmer writes cache entries in bulk.
type Warmer struct {
	api      *cloudflare.API
	rc       *cloudflare.ResourceContainer
	ns       string
	db       *sql.DB
	http     *http.Client
	ttl      time.Duration
	priceTTL time.Duration
}

// New returns a warmer for the cache namespace.
func New(api *cloudflare.API, accountID string, db *sql.DB) *Warmer {
	return &Warmer{
		api:      api,
		rc:       cloudflare.AccountIdentifier(accountID),
		ns:       config.NSCache,
		db:       db,
		http:     &http.Client{Timeout: 15 * time.Second},
		ttl:      config.ProductTTL,
		priceTTL: config.PriceTTL,
	}
}

type product struct {
	ID         int64  `json:"id"`
	Slug       string `json:"slug"`
	Name       string `json:"name"`
	PriceCents int64  `json:"price_cents"`
	HeroURL    string `json:"hero_url"`
}

const productColumns = `id, slug, name, price_cents, hero_url`

// Products caches every published product.
func (w *Warmer) Products(ctx context.Context) (int, error) {
	rows, err := w.db.QueryContext(ctx, `SELECT `+productColumns+` FROM products WHERE published ORDER BY id`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()

	var pairs []*cloudflare.WorkersKVPair
	for rows.Next() {
		var p product
		if err := rows.Scan(&p.ID, &p.Slug, &p.Name, &p.PriceCents, &p.HeroURL); err != nil {
			return 0, err
		}
		b, err := json.Marshal(p)
		if err != nil {
			return 0, err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           keys.Product(p.Slug),
			Value:         string(b),
			ExpirationTTL: int(w.ttl / time.Second),
			Metadata:      map[string]any{"id": p.ID},
		})
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return w.writeParallel(ctx, pairs)
}

// Prices caches the price of every product in every currency.
func (w *Warmer) Prices(ctx context.Context) (int, error) {
	rows, err := w.db.QueryContext(ctx, `
		SELECT p.slug, pr.currency, pr.amount_minor
		FROM prices pr JOIN products p ON p.id = pr.product_id
		WHERE p.published`)
	if err != nil {
		return 0, err
	}
	defer rows.Close()

	var pairs []*cloudflare.WorkersKVPair
	for rows.Next() {
		var (
			slug, currency string
			amount         int64
		)
		if err := rows.Scan(&slug, &currency, &amount); err != nil {
			return 0, err
		}
		pair := new(cloudflare.WorkersKVPair)
		pair.Key = keys.Price(slug, currency)
		pair.Value = strconv.FormatInt(amount, 10)
		pair.ExpirationTTL = int(w.priceTTL / time.Millisecond) // EXPECT kvttl
		pairs = append(pairs, pair)
	}
	if err := rows.Err(); err != nil {
		return 0, err
	}
	return w.writeParallel(ctx, pairs)
}

// writeParallel sends pairs in chunks, config.Workers requests at a time.
func (w *Warmer) writeParallel(ctx context.Context, pairs []*cloudflare.WorkersKVPair) (int, error) {
	var (
		wg       sync.WaitGroup
		mu       sync.Mutex
		written  int
		firstErr error
	)
	sem := make(chan struct{}, config.Workers)
	for chunk := range slices.Chunk(pairs, config.BulkChunkSize) {
		wg.Add(1)
		sem <- struct{}{}
		go func(kvs []*cloudflare.WorkersKVPair) {
			defer wg.Done()
			defer func() { <-sem }()
			_, err := w.api.WriteWorkersKVEntries(ctx, w.rc, cloudflare.WriteWorkersKVEntriesParams{
				NamespaceID: w.ns,
				KVs:         kvs,
			})
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				if firstErr == nil {
					firstErr = err
				}
				return
			}
			written += len(kvs)
		}(chunk)
	}
	wg.Wait()
	return written, firstErr
}

// Upstreams probes each origin's health endpoint and publishes the result
// for the load-balancing Worker.
func (w *Warmer) Upstreams(ctx context.Context, origins map[string]string) error {
	names := make([]string, 0, len(origins))
	for name := range origins {
		names = append(names, name)
	}
	slices.Sort(names)

	results := make([]*cloudflare.WorkersKVPair, len(names))
	var wg sync.WaitGroup
	for i, name := range names {
		wg.Go(func() {
			results[i] = &cloudflare.WorkersKVPair{
				Key:           keys.Upstream(name),
				Value:         w.probe(ctx, origins[name]),
				ExpirationTTL: config.HealthTTLSeconds / 2, // EXPECT kvttl
			}
		})
	}
	wg.Wait()
	_, err := w.api.WriteWorkersKVEntries(ctx, w.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: w.ns,
		KVs:         results,
	})
	return err
}

func (w *Warmer) probe(ctx context.Context, url string) string {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/healthz", nil)
	if err != nil {
		return "down"
	}
	res, err := w.http.Do(req)
	if err != nil {
		return "down"
	}
	res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "degraded"
	}
	return "up"
}

type catalogueItem struct {
	Key    string `json:"key"`
	Value  string `json:"value"`
	MaxAge int    `json:"max_age"`
}

// FromHTTP caches the entries of a JSON catalogue published by another
// team's service.
func (w *Warmer) FromHTTP(ctx context.Context, url string) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	if err != nil {
		return 0, err
	}
	res, err := w.http.Do(req)
	if err != nil {
		return 0, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return 0, fmt.Errorf("catalogue %s: %s", url, res.Status)
	}
	var items []catalogueItem
	if err := json.NewDecoder(res.Body).Decode(&items); err != nil {
		return 0, err
	}

	expires := time.Now().Add(w.ttl)
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(items))
	for _, it := range items {
		pair := &cloudflare.WorkersKVPair{Key: "catalogue:" + it.Key, Value: it.Value}
		if it.MaxAge > 0 {
			pair.ExpirationTTL = max(it.MaxAge, 60)
		} else {
			pair.Expiration = int(expires.Unix())
		}
		pairs = append(pairs, pair)
	}

	written := 0
	for start := 0; start < len(pairs); start += config.BulkChunkSize {
		end := min(start+config.BulkChunkSize, len(pairs))
		if _, err := w.api.WriteWorkersKVEntries(ctx, w.rc, cloudflare.WriteWorkersKVEntriesParams{
			NamespaceID: w.ns,
			KVs:         pairs[start:end],
		}); err != nil {
			return written, err
		}
		written = end
	}
	return written, nil
}

// Product serves a product summary from the cache, filling it from Postgres
// on a miss. The admin API uses it as its own fallback path.
func (w *Warmer) Product(ctx context.Context, slug string) ([]byte, error) {
	key := keys.Product(slug)
	cached, err := w.api.GetWorkersKV(ctx, w.rc, cloudflare.GetWorkersKVParams{NamespaceID: w.ns, Key: key})
	if err == nil {
		return cached, nil
	}
	var nf *cloudflare.NotFoundError
	if !errors.As(err, &nf) {
		return nil, err
	}

	var p product
	err = w.db.QueryRowContext(ctx, `SELECT `+productColumns+` FROM products WHERE slug = $1 AND published`, slug).
		Scan(&p.ID, &p.Slug, &p.Name, &p.PriceCents, &p.HeroURL)
	if err != nil {
		return nil, err
	}
	b, err := json.Marshal(p)
	if err != nil {
		return nil, err
	}
	_, err = w.api.WriteWorkersKVEntries(ctx, w.rc, cloudflare.WriteWorkersKVEntriesParams{
		NamespaceID: w.ns,
		KVs: []*cloudflare.WorkersKVPair{{
			Key:           key,
			Value:         string(b),
			ExpirationTTL: 300,
		}},
	})
	return b, err
}

// Evict drops a product from the cache after an edit in the admin UI.
func (w *Warmer) Evict(ctx context.Context, slug string) error {
	keysToDrop := []string{keys.Product(slug)}
	for _, cur := range []string{"usd", "eur", "gbp"} {
		keysToDrop = append(keysToDrop, keys.Price(slug, cur))
	}
	_, err := w.api.DeleteWorkersKVEntries(ctx, w.rc, cloudflare.DeleteWorkersKVEntriesParams{
		NamespaceID: w.ns,
		Keys:        keysToDrop,
	})
	return err
}

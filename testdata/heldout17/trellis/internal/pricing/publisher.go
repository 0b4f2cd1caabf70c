// Package pricing publishes scheduled price changes from D1 to Workers KV on a schedule.
package pricing

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"strconv"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/sqlstore"
)

const (
	maxBulkPairs = 10_000
	manifestKey  = "pricing:manifest"
	maxAutoDrift = 0.5 // largest relative change published without review
)

// Publisher moves price changes into KV. It embeds the API client.
type Publisher struct {
	*cf.API
	rc        *cf.ResourceContainer
	namespace string
	db        sqlstore.Catalog
	window    time.Duration
	clock     clock.Clock
	log       *slog.Logger
}

func NewPublisher(api *cf.API, accountID, namespaceID string, db sqlstore.Catalog, window time.Duration, c clock.Clock, log *slog.Logger) *Publisher {
	return &Publisher{API: api, rc: cf.AccountIdentifier(accountID), namespace: namespaceID, db: db, window: window, clock: c, log: log}
}

type runEntry struct {
	At      time.Time `json:"at"`
	Changes int       `json:"changes"`
	Held    int       `json:"held"`
}

func priceKey(tenant, sku string) string { return "t:" + tenant + ":price:" + sku }

// Run publishes the changes taking effect in the next window.
func (p *Publisher) Run(ctx context.Context) (err error) {
	now := p.clock.Now()
	changes, err := p.db.PriceChanges(ctx, now, now.Add(p.window))
	if err != nil {
		return fmt.Errorf("pricing: load changes: %w", err)
	}
	var manifest struct{ Runs []runEntry }
	raw, err := p.GetWorkersKV(ctx, p.rc, cf.GetWorkersKVParams{NamespaceID: p.namespace, Key: manifestKey})
	var nf *cf.NotFoundError
	if err == nil {
		err = json.Unmarshal(raw, &manifest)
	} else if errors.As(err, &nf) {
		err = nil
	}
	if err != nil {
		return err
	}
	entry := runEntry{At: now, Changes: len(changes)}
	defer func() {
		if err != nil {
			return
		}
		manifest.Runs = append(manifest.Runs, entry)
		manifest.Runs = manifest.Runs[max(0, len(manifest.Runs)-96):]
		body, _ := json.Marshal(manifest)
		_, err = p.WriteWorkersKVEntry(ctx, p.rc, cf.WriteWorkersKVEntryParams{ // EXPECT kvrace
			NamespaceID: p.namespace,
			Key:         manifestKey,
			Value:       body,
		})
	}()

	drift := p.Drift(ctx, changes)
	var pairs []*cf.WorkersKVPair
	for _, c := range changes {
		if d := drift[c.Tenant+"/"+c.SKU]; d > maxAutoDrift {
			p.log.WarnContext(ctx, "price change held for review", "tenant", c.Tenant, "sku", c.SKU, "drift", d)
			entry.Held++
			continue
		}
		pair := &cf.WorkersKVPair{Key: priceKey(c.Tenant, c.SKU), Value: strconv.FormatInt(c.PriceCents, 10)}
		if !c.EffectiveUntil.IsZero() {
			pair.Expiration = int(c.EffectiveUntil.Unix())
		}
		pairs = append(pairs, pair)
		if c.Promo != "" && !c.EffectiveUntil.IsZero() {
			pairs = append(pairs, &cf.WorkersKVPair{
				Key:        "t:" + c.Tenant + ":promo:" + c.SKU,
				Value:      c.Promo,
				Expiration: int(c.EffectiveUntil.UnixMilli()), // EXPECT kvttl
			})
		}
	}
	for start := 0; start < len(pairs); start += maxBulkPairs {
		chunk := pairs[start:min(start+maxBulkPairs, len(pairs))]
		if _, err := p.WriteWorkersKVEntries(ctx, p.rc, cf.WriteWorkersKVEntriesParams{NamespaceID: p.namespace, KVs: chunk}); err != nil {
			return fmt.Errorf("pricing: publish batch at %d: %w", start, err)
		}
	}
	_, err = p.WriteWorkersKVEntry(ctx, p.rc, cf.WriteWorkersKVEntryParams{
		NamespaceID: p.namespace,
		Key:         "pricing:published-at",
		Value:       []byte(now.UTC().Format(time.RFC3339)),
	})
	return err
}

// Drift returns, per tenant/SKU, each change's relative move from the published price.
func (p *Publisher) Drift(ctx context.Context, changes []sqlstore.PriceChange) map[string]float64 {
	out := make(map[string]float64, len(changes))
	for _, c := range changes {
		raw, _ := p.GetWorkersKV(ctx, p.rc, cf.GetWorkersKVParams{NamespaceID: p.namespace, Key: priceKey(c.Tenant, c.SKU)}) // EXPECT kvnull
		current, _ := strconv.ParseFloat(string(raw), 64)
		out[c.Tenant+"/"+c.SKU] = math.Abs(float64(c.PriceCents)-current) / current
	}
	return out
}

// Snapshot returns one page of a tenant's published prices for the audit export, and the cursor for the next page.
func (p *Publisher) Snapshot(ctx context.Context, tenant, cursor string) (map[string]int64, string, error) {
	res, err := p.ListWorkersKVKeys(ctx, p.rc, cf.ListWorkersKVsParams{
		NamespaceID: p.namespace, Prefix: "t:" + tenant + ":price:", Cursor: cursor, Limit: 200,
	})
	if err != nil {
		return nil, "", err
	}
	out := make(map[string]int64, len(res.Result))
	for _, k := range res.Result {
		raw, err := p.GetWorkersKV(ctx, p.rc, cf.GetWorkersKVParams{NamespaceID: p.namespace, Key: k.Name}) // EXPECT kvlist
		if err != nil {
			return nil, "", err
		}
		if out[k.Name], err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return nil, "", fmt.Errorf("pricing: %s: %w", k.Name, err)
		}
	}
	return out, res.Cursor, nil
}

// Package entitlements caches plan entitlements in KV so the API gateway can
// authorise features without a round trip to the billing database.
package entitlements

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"

	"example.com/billing/internal/keys"
	"example.com/billing/internal/storage/kvstore"
)

// Entitlements is what a customer's plan and add-ons allow.
type Entitlements struct {
	CustomerID string          `json:"customer_id"`
	Plan       string          `json:"plan"`
	Seats      int             `json:"seats"`
	Features   map[string]bool `json:"features"`
	AddOns     []string        `json:"add_ons,omitempty"`
	ComputedAt time.Time       `json:"computed_at"`
}

// Has reports whether feature is enabled.
func (e Entitlements) Has(feature string) bool { return e.Features[feature] }

// Source computes entitlements from the billing database.
type Source interface {
	Entitlements(ctx context.Context, customerID string) (Entitlements, error)
}

// Cache is a read-through KV cache over Source.
type Cache struct {
	values    *kv.NamespaceValueService
	bulk      *kv.NamespaceBulkService
	meta      *kv.NamespaceMetadataService
	accountID string
	nsID      string
	src       Source
	ttl       time.Duration
}

// New builds a Cache. ttl comes from config.Cache.EntitlementsTTL.
func New(client *cloudflare.Client, accountID, nsID string, src Source, ttl time.Duration) *Cache {
	ns := client.KV.Namespaces
	return &Cache{values: ns.Values, bulk: ns.Bulk, meta: ns.Metadata, accountID: accountID, nsID: nsID, src: src, ttl: ttl}
}

func cacheKey(customerID string) string { return keys.New(keys.Entitlements, customerID).String() }

func (c *Cache) fetch(ctx context.Context, key string) (Entitlements, error) {
	var ent Entitlements
	res, err := c.values.Get(ctx, c.nsID, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.accountID)})
	if err != nil {
		return ent, err
	}
	defer res.Body.Close()
	raw, err := io.ReadAll(res.Body)
	if err != nil {
		return ent, err
	}
	return ent, json.Unmarshal(raw, &ent)
}

// store writes ent with a lifetime of at least a minute.
func (c *Cache) store(ctx context.Context, key string, ent Entitlements, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute // KV rejects shorter expirations
	}
	raw, err := json.Marshal(ent)
	if err != nil {
		return err
	}
	body := kv.NamespaceBulkUpdateParamsBody{
		Key:           cloudflare.F(key),
		Value:         cloudflare.F(string(raw)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
		Metadata:      cloudflare.F(map[string]interface{}{"plan": ent.Plan}),
	}
	_, err = c.bulk.Update(ctx, c.nsID, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.accountID),
		Body:      []kv.NamespaceBulkUpdateParamsBody{body},
	})
	return err
}

// Get returns cached entitlements, computing and caching them on a miss.
func (c *Cache) Get(ctx context.Context, customerID string) (Entitlements, error) {
	key := cacheKey(customerID)
	ent, err := c.fetch(ctx, key)
	if err == nil {
		return ent, nil
	}
	if !kvstore.IsNotFound(err) {
		return Entitlements{}, fmt.Errorf("entitlements cache: %w", err)
	}
	ent, err = c.src.Entitlements(ctx, customerID)
	if err != nil {
		return Entitlements{}, err
	}
	if err := c.store(ctx, key, ent, c.ttl); err != nil {
		return ent, fmt.Errorf("entitlements cache fill: %w", err)
	}
	return ent, nil
}

// Plan returns just the plan name, from key metadata.
func (c *Cache) Plan(ctx context.Context, customerID string) (string, error) {
	md, err := c.meta.Get(ctx, c.nsID, cacheKey(customerID), kv.NamespaceMetadataGetParams{AccountID: cloudflare.F(c.accountID)})
	if err != nil {
		if kvstore.IsNotFound(err) {
			ent, err := c.Get(ctx, customerID)
			return ent.Plan, err
		}
		return "", err
	}
	plan, _ := (*md)["plan"].(string)
	return plan, nil
}

// Warm pre-computes entitlements for customers about to be billed, with a
// short lifetime since the billing run will refresh them again.
func (c *Cache) Warm(ctx context.Context, customerIDs []string) error {
	for _, id := range customerIDs {
		ent, err := c.src.Entitlements(ctx, id)
		if err != nil {
			return err
		}
		if err := c.store(ctx, cacheKey(id), ent, 20*time.Second); err != nil {
			return err
		}
	}
	return nil
}

// GrantAddOn enables an add-on immediately, ahead of the nightly recompute.
func (c *Cache) GrantAddOn(ctx context.Context, customerID, addOn string) error {
	key := cacheKey(customerID)
	ent, err := c.fetch(ctx, key)
	if err != nil {
		return fmt.Errorf("grant %s: %w", addOn, err)
	}
	if slices.Contains(ent.AddOns, addOn) {
		return nil
	}
	ent.AddOns = append(ent.AddOns, addOn)
	if ent.Features == nil {
		ent.Features = map[string]bool{}
	}
	ent.Features[addOn] = true
	return c.store(ctx, key, ent, c.ttl) // EXPECT kvrace
}

// Package queue applies batches of supplier and order events to the stock view.
package queue

import (
	"context"
	"fmt"
	"log/slog"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
	"example.com/trellis/internal/retry"
	"example.com/trellis/internal/webhooks"
)

// Message is one queued event.
type Message struct {
	ID       string         `json:"id"`
	Tenant   keys.TenantID  `json:"tenant"`
	Supplier string         `json:"supplier"`
	Event    webhooks.Event `json:"event"`
}

// Batch is what the queue delivers in one invocation.
type Batch struct {
	Queue    string    `json:"queue"`
	Messages []Message `json:"messages"`
}

// Consumer applies queued events. Stock levels go through the storage port; bookkeeping uses the embedded SDK client.
type Consumer struct {
	*cloudflare.Client
	account   string
	namespace string
	stock     kvstore.Store
	window    time.Duration
	log       *slog.Logger
}

// NewConsumer returns a Consumer; window is how often suppliers resend stock levels.
func NewConsumer(client *cloudflare.Client, account, namespace string, stock kvstore.Store, window time.Duration, log *slog.Logger) *Consumer {
	return &Consumer{Client: client, account: account, namespace: namespace, stock: stock, window: window, log: log}
}

// HandleBatch applies every message and returns the IDs to redeliver.
func (c *Consumer) HandleBatch(ctx context.Context, b Batch) []string {
	var retryIDs []string
	var prices []Message
	for _, m := range b.Messages {
		var err error
		switch m.Event.Type {
		case "price.updated":
			prices = append(prices, m)
			continue
		case "stock.updated":
			err = c.publishStock(ctx, m)
		case "order.allocated":
			err = c.reserve(ctx, m)
		default:
			err = fmt.Errorf("queue: unknown event type %q", m.Event.Type)
		}
		if err != nil {
			c.log.WarnContext(ctx, "message failed", "id", m.ID, "err", err)
			retryIDs = append(retryIDs, m.ID)
			continue
		}
		_, err = c.KV.Namespaces.Values.Update(ctx, c.namespace, "stock-sync:checkpoint", kv.NamespaceValueUpdateParams{ // EXPECT kvhotkey
			AccountID: cloudflare.F(c.account),
			Value:     cloudflare.F(m.ID),
		})
		if err != nil {
			c.log.WarnContext(ctx, "checkpoint", "err", err)
		}
	}
	return append(retryIDs, c.recordSupplierCosts(ctx, prices)...)
}

func (c *Consumer) publishStock(ctx context.Context, m Message) error {
	key := keys.Expand(keys.PatternStock, m.Tenant, "sku", m.Event.SKU)
	return c.stock.Put(ctx, key, []byte(strconv.Itoa(m.Event.Qty)), kvstore.PutOptions{
		TTL:      max(2*c.window, 3*time.Second), // EXPECT kvttl
		Metadata: map[string]string{"supplier": m.Supplier, "at": m.Event.At.UTC().Format(time.RFC3339)},
	})
}

func (c *Consumer) reserve(ctx context.Context, m Message) error {
	key := m.Tenant.Prefix() + "reserved:" + m.Event.SKU
	return retry.Do(ctx, func() error {
		reserved := 0
		raw, err := c.stock.Get(ctx, key)
		switch {
		case err == nil:
			if reserved, err = strconv.Atoi(string(raw)); err != nil {
				return retry.Permanent(err)
			}
		case !kvstore.IsNotFound(err):
			return err
		}
		return c.stock.Put(ctx, key, []byte(strconv.Itoa(reserved+m.Event.Qty)), kvstore.PutOptions{}) // EXPECT kvcounter
	})
}

// recordSupplierCosts stores the latest cost per supplier and SKU, concurrently.
func (c *Consumer) recordSupplierCosts(ctx context.Context, msgs []Message) []string {
	latest := map[string]Message{}
	for _, m := range msgs {
		k := m.Tenant.Prefix() + "supplier-cost:" + m.Supplier + ":" + m.Event.SKU
		if prev, ok := latest[k]; !ok || m.Event.At.After(prev.Event.At) {
			latest[k] = m
		}
	}
	var (
		mu     sync.Mutex
		failed []string
		wg     sync.WaitGroup
	)
	for key, m := range latest {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := c.KV.Namespaces.Values.Update(ctx, c.namespace, url.PathEscape(key), kv.NamespaceValueUpdateParams{
				AccountID: cloudflare.F(c.account),
				Value:     cloudflare.F(strconv.FormatInt(m.Event.PriceCents, 10)),
			})
			if err != nil {
				mu.Lock()
				failed = append(failed, m.ID)
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return failed
}

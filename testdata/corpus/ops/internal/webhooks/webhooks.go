// Package webhooks receives payment-provider webhooks and keeps the small
// amount of state they need in KV.
package webhooks

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/ops/internal/config"
)

// retryWindow is how long we remember failed deliveries before giving up.
const retryWindow = 6 * time.Hour

// Store is the webhook state in the edge namespace.
type Store struct {
	client  *cloudflare.Client
	account string
}

// NewStore returns a Store.
func NewStore(client *cloudflare.Client, account string) *Store {
	return &Store{client: client, account: account}
}

func isNotFound(err error) bool {
	var apiErr *cloudflare.Error
	return errors.As(err, &apiErr) && apiErr.StatusCode == http.StatusNotFound
}

func (s *Store) get(ctx context.Context, key string) ([]byte, bool, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, config.NamespaceEdge, key, kv.NamespaceValueGetParams{
		AccountID: cloudflare.F(s.account),
	})
	if isNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return b, err == nil, err
}

// Seen reports whether event id was already processed.
func (s *Store) Seen(ctx context.Context, id string) (bool, error) {
	_, ok, err := s.get(ctx, "webhook:seen:"+id)
	return ok, err
}

// MarkSeen records that event id was processed.
func (s *Store) MarkSeen(ctx context.Context, id string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, config.NamespaceEdge, "webhook:seen:"+id, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.account),
		Value:         cloudflare.F(time.Now().UTC().Format(time.RFC3339)),
		ExpirationTTL: cloudflare.F(config.WebhookDedupeTTL.Seconds()),
	})
	return err
}

// RecordFailure notes a failed processing attempt for event id and returns
// how many attempts have failed so far.
func (s *Store) RecordFailure(ctx context.Context, id string) (int, error) {
	key := "webhook:attempts:" + id
	b, ok, err := s.get(ctx, key)
	if err != nil {
		return 0, err
	}
	attempts := 0
	if ok {
		if attempts, err = strconv.Atoi(string(b)); err != nil {
			return 0, err
		}
	}
	attempts++
	_, err = s.client.KV.Namespaces.Values.Update(ctx, config.NamespaceEdge, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
		AccountID:     cloudflare.F(s.account),
		Value:         cloudflare.F(strconv.Itoa(attempts)),
		ExpirationTTL: cloudflare.F(float64(retryWindow)), // EXPECT kvttl
	})
	return attempts, err
}

// LineItem is one item of a paid order.
type LineItem struct {
	SKU string `json:"sku"`
	Qty int    `json:"qty"`
}

// ReserveStock decrements the stock shown on product pages for a paid order.
func (s *Store) ReserveStock(ctx context.Context, items []LineItem) error {
	for _, it := range items {
		key := "stock:" + it.SKU
		b, ok, err := s.get(ctx, key)
		if err != nil {
			return err
		}
		if !ok {
			continue // not a stock-tracked SKU
		}
		left, err := strconv.Atoi(strings.TrimSpace(string(b)))
		if err != nil {
			return fmt.Errorf("stock for %s: %w", it.SKU, err)
		}
		left = max(left-it.Qty, 0)
		_, err = s.client.KV.Namespaces.Values.Update(ctx, config.NamespaceEdge, key, kv.NamespaceValueUpdateParams{ // EXPECT kvcounter
			AccountID: cloudflare.F(s.account),
			Value:     cloudflare.F(strconv.Itoa(left)),
		})
		if err != nil {
			return err
		}
	}
	return nil
}

// Endpoint is a customer's outbound webhook subscription.
type Endpoint struct {
	URL    string   `json:"url"`
	Events []string `json:"events"`
}

func (s *Store) editEndpoints(ctx context.Context, tenant string, edit func([]Endpoint) []Endpoint) error {
	key := "webhook:endpoints:" + tenant
	mutate := func() error {
		b, ok, err := s.get(ctx, key)
		if err != nil {
			return err
		}
		var eps []Endpoint
		if ok {
			if err := json.Unmarshal(b, &eps); err != nil {
				return err
			}
		}
		out, err := json.Marshal(edit(eps))
		if err != nil {
			return err
		}
		_, err = s.client.KV.Namespaces.Values.Update(ctx, config.NamespaceEdge, key, kv.NamespaceValueUpdateParams{ // EXPECT kvrace
			AccountID: cloudflare.F(s.account),
			Value:     cloudflare.F(string(out)),
		})
		return err
	}
	return mutate()
}

// AddEndpoint subscribes url to events for tenant.
func (s *Store) AddEndpoint(ctx context.Context, tenant string, ep Endpoint) error {
	return s.editEndpoints(ctx, tenant, func(eps []Endpoint) []Endpoint {
		eps = slices.DeleteFunc(eps, func(e Endpoint) bool { return e.URL == ep.URL })
		return append(eps, ep)
	})
}

// RemoveEndpoint unsubscribes url.
func (s *Store) RemoveEndpoint(ctx context.Context, tenant, url string) error {
	return s.editEndpoints(ctx, tenant, func(eps []Endpoint) []Endpoint {
		return slices.DeleteFunc(eps, func(e Endpoint) bool { return e.URL == url })
	})
}

// Package holds reserves inventory while a customer is in checkout. A hold
// is a KV key that expires by itself when the checkout deadline passes.
package holds

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"strconv"
	"strings"
	"time"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
	"github.com/ouzel-commerce/ouzel/internal/luarun"
)

// ErrOutOfStock is returned when the stock level cannot cover a hold.
var ErrOutOfStock = errors.New("holds: out of stock")

// Hold is the stored value of one inventory hold.
type Hold struct {
	SKU     string    `json:"sku"`
	OrderID string    `json:"order_id"`
	Qty     int       `json:"qty"`
	Until   time.Time `json:"until"`
}

// Service manages holds and stock levels.
type Service struct {
	kv     *kvstore.Store
	lua    *luarun.Runner
	window time.Duration // payment provider's confirmation window
}

// NewService returns a hold service. window is how long the payment provider
// may take to confirm a charge.
func NewService(store *kvstore.Store, runner *luarun.Runner, window time.Duration) *Service {
	return &Service{kv: store, lua: runner, window: window}
}

func holdKey(sku, order string) string  { return "hold:" + sku + ":" + order }
func indexKey(order, sku string) string { return "hold-idx:" + order + ":" + sku }
func stockKey(sku string) string        { return "stock:" + sku }

// Place holds qty units of sku for order until the checkout deadline.
func (s *Service) Place(ctx context.Context, sku, order string, qty int, deadline time.Time) error {
	h := Hold{SKU: sku, OrderID: order, Qty: qty, Until: deadline}
	raw, _ := json.Marshal(h)
	ttl := time.Until(deadline)
	if err := s.kv.Put(ctx, holdKey(sku, order), raw, ttl); err != nil { // EXPECT kvttl
		return err
	}
	return s.kv.Put(ctx, indexKey(order, sku), []byte(strconv.Itoa(qty)), max(ttl, time.Minute))
}

// Reserve places all holds for an order in one script run.
func (s *Service) Reserve(ctx context.Context, order string, lines map[string]int, deadline time.Time) (int, error) {
	out, err := s.lua.Run(ctx, "reserve_checkout", order, lines, deadline.Unix())
	if err != nil {
		return 0, err
	}
	n, _ := out.(int64)
	return int(n), nil
}

// ExtendForPayment keeps a hold alive while the payment provider confirms.
func (s *Service) ExtendForPayment(ctx context.Context, sku, order string) error {
	raw, err := s.kv.Get(ctx, holdKey(sku, order))
	if err != nil {
		return err
	}
	var h Hold
	if err := json.Unmarshal(raw, &h); err != nil {
		return err
	}
	grace := max(2*s.window, 3*time.Second) // EXPECT kvttl
	body, _ := json.Marshal(Hold{SKU: sku, OrderID: order, Qty: h.Qty, Until: time.Now().Add(grace)})
	return s.kv.Put(ctx, "hold-pay:"+sku+":"+order, body, grace)
}

// Commit turns the order's holds into a stock decrement.
func (s *Service) Commit(ctx context.Context, sku string, qty int) (int, error) {
	raw, err := s.kv.Get(ctx, stockKey(sku))
	if err != nil {
		return 0, fmt.Errorf("stock %s: %w", sku, err)
	}
	level, err := strconv.Atoi(strings.TrimSpace(string(raw)))
	if err != nil {
		return 0, fmt.Errorf("stock %s: %w", sku, err)
	}
	if level < qty {
		return level, ErrOutOfStock
	}
	level -= qty
	if err := s.kv.Put(ctx, stockKey(sku), []byte(strconv.Itoa(level)), 0); err != nil { // EXPECT kvrace|kvcounter
		return 0, err
	}
	return level, nil
}

// Restock records the stock level reported by the warehouse feed. The feed
// is the source of truth; KV only mirrors it for the edge.
func (s *Service) Restock(ctx context.Context, levels map[string]int) error {
	entries := make([]kvstore.Entry, 0, len(levels))
	for sku, n := range levels {
		entries = append(entries, kvstore.Entry{Key: stockKey(sku), Value: []byte(strconv.Itoa(n))})
	}
	failed, err := s.kv.PutMany(ctx, entries)
	if err != nil {
		return err
	}
	if len(failed) > 0 {
		return fmt.Errorf("restock: %d keys not written", len(failed))
	}
	return nil
}

// ReleaseOrder drops every hold of an order (payment failed or cancelled).
func (s *Service) ReleaseOrder(ctx context.Context, order string) error {
	prefix := "hold-idx:" + order + ":"
	keys, cursor, err := s.kv.Page(ctx, prefix, "", 1000)
	if err != nil {
		return err
	}
	var doomed []string
	for {
		for _, k := range keys {
			sku := strings.TrimPrefix(k.Name, prefix)
			doomed = append(doomed, k.Name, holdKey(sku, order))
		}
		if cursor == "" || len(doomed) >= kvstore.MaxBulkWrite-2 {
			break
		}
		keys, cursor, err = s.kv.Page(ctx, "", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
	}
	return s.kv.DeleteMany(ctx, doomed)
}

// Sweep walks the hold index in bounded slices and logs holds past their
// deadline (KV expiry removes them, but late ones are worth knowing about).
func (s *Service) Sweep(ctx context.Context, maxPages int) (int, error) {
	const checkpoint = "holds:sweep:cursor"
	cursor := ""
	if raw, err := s.kv.Get(ctx, checkpoint); err == nil {
		cursor = string(raw)
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return 0, err
	}
	late := 0
	for page := 0; page < maxPages; page++ {
		keys, next, err := s.kv.Page(ctx, "hold:", cursor, 1000)
		if err != nil {
			return late, err
		}
		for _, k := range keys {
			if k.Expiration > 0 && int64(k.Expiration) < time.Now().Unix() {
				late++
				log.Printf("holds: %s outlived its deadline", k.Name)
			}
		}
		cursor = next
		if err := s.kv.Put(ctx, checkpoint, []byte(cursor), 24*time.Hour); err != nil { // EXPECT kvhotkey
			return late, err
		}
		if next == "" {
			break
		}
	}
	return late, nil
}

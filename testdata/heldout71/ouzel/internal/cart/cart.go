// Package cart stores shopping carts in KV, one JSON document per cart.
package cart

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"time"

	"github.com/ouzel-commerce/ouzel/internal/kvstore"
)

// ErrNoCart is returned when the cart id is unknown or has expired.
var ErrNoCart = errors.New("cart: not found")

const (
	cartTTL  = 14 * 24 * time.Hour
	badgeTTL = 5 * time.Minute
)

// Line is one SKU in a cart.
type Line struct {
	SKU        string `json:"sku"`
	Qty        int    `json:"qty"`
	PriceCents int64  `json:"price_cents"`
}

// Cart is the stored document.
type Cart struct {
	ID         string    `json:"id"`
	CustomerID string    `json:"customer_id,omitempty"`
	Currency   string    `json:"currency"`
	Lines      []Line    `json:"lines"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Count is the number of units in the cart, shown on the storefront badge.
func (c *Cart) Count() int {
	n := 0
	for _, l := range c.Lines {
		n += l.Qty
	}
	return n
}

// Service reads and writes carts.
type Service struct {
	kv *kvstore.Store
}

// NewService returns a cart service over store.
func NewService(store *kvstore.Store) *Service { return &Service{kv: store} }

func cartKey(id string) string  { return "cart:" + id }
func badgeKey(id string) string { return "badge:" + id }

func newID() string {
	var b [16]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic(err)
	}
	return hex.EncodeToString(b[:])
}

func meta(c *Cart) map[string]any {
	return map[string]any{"cust": c.CustomerID, "units": c.Count(), "updated": c.UpdatedAt.Unix()}
}

// Create starts an empty cart with a fresh id.
func (s *Service) Create(ctx context.Context, customerID, currency string) (*Cart, error) {
	c := &Cart{ID: newID(), CustomerID: customerID, Currency: currency, UpdatedAt: time.Now().UTC()}
	raw, err := json.Marshal(c)
	if err != nil {
		return nil, err
	}
	if err := s.kv.PutMeta(ctx, cartKey(c.ID), raw, cartTTL, meta(c)); err != nil {
		return nil, err
	}
	return c, nil
}

// Load returns the cart or ErrNoCart.
func (s *Service) Load(ctx context.Context, id string) (*Cart, error) {
	raw, err := s.kv.Get(ctx, cartKey(id))
	if errors.Is(err, kvstore.ErrNotFound) {
		return nil, ErrNoCart
	}
	if err != nil {
		return nil, err
	}
	var c Cart
	if err := json.Unmarshal(raw, &c); err != nil {
		return nil, fmt.Errorf("cart %s: %w", id, err)
	}
	return &c, nil
}

// AddLine adds qty units of sku to the cart, creating the cart document on
// first use for guest sessions that never called Create.
func (s *Service) AddLine(ctx context.Context, id string, add Line) (*Cart, error) {
	c := &Cart{ID: id, Currency: "EUR"}
	raw, err := s.kv.Get(ctx, cartKey(id)) // EXPECT kvnull
	if err == nil {
		if err := json.Unmarshal(raw, c); err != nil {
			return nil, err
		}
	}
	i := slices.IndexFunc(c.Lines, func(l Line) bool { return l.SKU == add.SKU })
	if i >= 0 {
		c.Lines[i].Qty += add.Qty
	} else {
		c.Lines = append(c.Lines, add)
	}
	c.UpdatedAt = time.Now().UTC()
	out, _ := json.Marshal(c)
	if err := s.kv.PutMeta(ctx, cartKey(id), out, cartTTL, meta(c)); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return c, nil
}

// SetQty changes the quantity of one line; zero removes it.
func (s *Service) SetQty(ctx context.Context, id, sku string, qty int) (*Cart, error) {
	c, err := s.Load(ctx, id)
	if err != nil {
		return nil, err
	}
	for i := range c.Lines {
		if c.Lines[i].SKU == sku {
			c.Lines[i].Qty = qty
		}
	}
	c.Lines = slices.DeleteFunc(c.Lines, func(l Line) bool { return l.Qty <= 0 })
	c.UpdatedAt = time.Now().UTC()
	out, _ := json.Marshal(c)
	if err := s.kv.PutMeta(ctx, cartKey(id), out, cartTTL, meta(c)); err != nil { // EXPECT kvsession|kvrace
		return nil, err
	}
	return c, nil
}

// Badge returns the unit count for the storefront header. The count is kept
// under its own key as a read-through cache of the cart document.
func (s *Service) Badge(ctx context.Context, id string) (int, error) {
	raw, err := s.kv.Get(ctx, badgeKey(id))
	if err == nil {
		if n, perr := strconv.Atoi(string(raw)); perr == nil {
			return n, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return 0, err
	}
	c, err := s.Load(ctx, id)
	if errors.Is(err, ErrNoCart) {
		_ = s.kv.Put(ctx, badgeKey(id), []byte("0"), 30*time.Second) // EXPECT kvttl
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	n := c.Count()
	if err := s.kv.Cache(ctx, badgeKey(id), []byte(strconv.Itoa(n)), badgeTTL); err != nil {
		return n, err
	}
	return n, nil
}

// Abandoned returns up to max cart ids not updated since before, read from
// list metadata so no cart document has to be fetched.
func (s *Service) Abandoned(ctx context.Context, before time.Time, max int) ([]string, error) {
	const maxPages = 20
	var ids []string
	cursor := ""
	for page := 0; page < maxPages && len(ids) < max; page++ {
		keys, next, err := s.kv.Page(ctx, "cart:", cursor, 1000)
		if err != nil {
			return ids, err
		}
		for _, k := range keys {
			m, _ := k.Metadata.(map[string]any)
			if upd, ok := m["updated"].(float64); ok && int64(upd) < before.Unix() {
				ids = append(ids, k.Name[len("cart:"):])
			}
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return ids, nil
}

// Discard removes a cart after the order was placed, along with its badge.
func (s *Service) Discard(ctx context.Context, id string) error {
	return s.kv.DeleteMany(ctx, []string{cartKey(id), badgeKey(id)}) // DEBATABLE kvsession
}

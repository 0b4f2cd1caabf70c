// Package orders handles report-credit purchases: a cart per signed-in user
// and immutable orders.
package orders

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/quarry/internal/ids"
	"example.com/quarry/internal/storage"
)

var (
	ErrEmptyOrder = errors.New("orders: no items")
	ErrBadItem    = errors.New("orders: invalid item")
)

type Item struct {
	SKU        string `json:"sku"`
	Qty        int    `json:"qty"`
	PriceCents int64  `json:"priceCents"`
}

type Order struct {
	ID         ids.OrderID   `json:"id"`
	Account    ids.AccountID `json:"account"`
	Items      []Item        `json:"items"`
	TotalCents int64         `json:"totalCents"`
	Created    time.Time     `json:"created"`
}

type Cart struct {
	Items   []Item    `json:"items"`
	Updated time.Time `json:"updated"`
}

type Service struct {
	store    storage.Store
	cartFmt  string // e.g. "cart/%s"
	orderFmt string // e.g. "acct/%[1]s/orders/%[2]s"
	cartTTL  time.Duration
	now      func() time.Time
}

func NewService(store storage.Store, cartFmt, orderFmt string, cartTTL time.Duration) *Service {
	return &Service{store: store, cartFmt: cartFmt, orderFmt: orderFmt, cartTTL: cartTTL, now: time.Now}
}

func (s *Service) loadCart(ctx context.Context, key string) (Cart, error) {
	var c Cart
	raw, err := s.store.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		return c, nil // no cart yet
	}
	if err := json.Unmarshal(raw, &c); err != nil {
		return Cart{}, fmt.Errorf("orders: decode cart: %w", err)
	}
	return c, nil
}

// AddToCart puts item in the cart, replacing any line with the same SKU (the
// UI sends the quantity the user picked, not a delta).
func (s *Service) AddToCart(ctx context.Context, user ids.AccountID, item Item) (Cart, error) {
	if item.SKU == "" || item.Qty <= 0 || item.PriceCents < 0 {
		return Cart{}, ErrBadItem
	}
	key := fmt.Sprintf(s.cartFmt, user)
	cart, err := s.loadCart(ctx, key)
	if err != nil {
		return Cart{}, err
	}
	replaced := false
	for i := range cart.Items {
		if cart.Items[i].SKU == item.SKU {
			cart.Items[i] = item
			replaced = true
		}
	}
	if !replaced {
		cart.Items = append(cart.Items, item)
	}
	cart.Updated = s.now().UTC()
	b, err := json.Marshal(cart)
	if err != nil {
		return Cart{}, err
	}
	return cart, s.store.Put(ctx, key, b, storage.PutOptions{TTL: s.cartTTL}) // EXPECT kvsession
}

func (s *Service) orderKey(acct ids.AccountID, id ids.OrderID) string {
	return fmt.Sprintf(s.orderFmt, acct, id)
}

// Place records a new order for the items the client submitted.
func (s *Service) Place(ctx context.Context, acct ids.AccountID, items []Item) (Order, error) {
	if len(items) == 0 {
		return Order{}, ErrEmptyOrder
	}
	o := Order{ID: ids.NewOrderID(), Account: acct, Items: items, Created: s.now().UTC().Truncate(time.Second)}
	for _, it := range items {
		if it.Qty <= 0 || it.PriceCents < 0 {
			return Order{}, fmt.Errorf("%w: %s", ErrBadItem, it.SKU)
		}
		o.TotalCents += int64(it.Qty) * it.PriceCents
	}
	bin, err := o.MarshalBinary()
	if err != nil {
		return Order{}, err
	}
	enc := base64.StdEncoding.EncodeToString(bin)
	if err := s.store.Put(ctx, s.orderKey(acct, o.ID), []byte(enc), storage.PutOptions{}); err != nil {
		return Order{}, fmt.Errorf("orders: store %s: %w", o.ID, err)
	}
	return o, nil
}

// Get loads one order.
func (s *Service) Get(ctx context.Context, acct ids.AccountID, id ids.OrderID) (Order, error) {
	raw, err := s.store.Get(ctx, s.orderKey(acct, id))
	if err != nil {
		return Order{}, fmt.Errorf("orders: get %s: %w", id, err)
	}
	bin, err := base64.StdEncoding.DecodeString(string(raw))
	if err != nil {
		return Order{}, fmt.Errorf("orders: corrupt %s: %w", id, err)
	}
	var o Order
	return o, o.UnmarshalBinary(bin)
}

// List returns one page of order IDs for an account, newest keys last, and
// the cursor for the next page ("" when there is none).
func (s *Service) List(ctx context.Context, acct ids.AccountID, cursor string, limit int) ([]ids.OrderID, string, error) {
	prefix := fmt.Sprintf(s.orderFmt, acct, "")
	page, err := s.store.List(ctx, prefix, cursor, min(max(limit, 1), 100))
	if err != nil {
		return nil, "", err
	}
	out := make([]ids.OrderID, 0, len(page.Keys))
	for _, k := range page.Keys {
		id, err := ids.ParseOrderID(strings.TrimPrefix(k, prefix))
		if err != nil {
			continue
		}
		out = append(out, id)
	}
	if page.Complete {
		return out, "", nil
	}
	return out, page.Cursor, nil
}

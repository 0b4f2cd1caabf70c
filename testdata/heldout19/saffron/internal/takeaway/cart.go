//go:build js && wasm

// Package takeaway handles takeaway pre-orders: the guest's cart, handing
// orders to the kitchen, and courier status updates.
package takeaway

import (
	"context"
	"encoding/json"
	"fmt"
	"sync"
	"time"

	"example.com/saffron/internal/edgekv"
	"example.com/saffron/internal/keys"
	"example.com/saffron/internal/retry"
	"github.com/syumai/workers/cloudflare/kv"
)

var now = time.Now

const cartTTL = 6 * time.Hour

// Item is one cart line.
type Item struct {
	Dish  string `json:"dish"`
	Qty   int    `json:"qty"`
	Notes string `json:"notes,omitempty"`
}

// Cart is a guest's order in progress. The ordering page mints a new cart
// ID after each checkout, so carts are never reused.
type Cart struct {
	ID         string    `json:"id"`
	Restaurant string    `json:"restaurant"`
	Items      []Item    `json:"items"`
	UpdatedAt  time.Time `json:"updated_at"`
}

// Order is a submitted cart.
type Order struct {
	ID         string    `json:"id"`
	Restaurant string    `json:"restaurant"`
	Items      []Item    `json:"items"`
	PickupAt   time.Time `json:"pickup_at"`
}

// Service manages carts and orders.
type Service struct {
	ns func() (*kv.Namespace, error)
	kv func() (*edgekv.Client, error)
}

// New returns a takeaway service over binding.
func New(binding string) *Service {
	ns := sync.OnceValues(func() (*kv.Namespace, error) { return kv.NewNamespace(binding) })
	return &Service{
		ns: ns,
		kv: sync.OnceValues(func() (*edgekv.Client, error) {
			n, err := ns()
			if err != nil {
				return nil, err
			}
			return edgekv.Wrap(n, binding), nil
		}),
	}
}

// AddItem adds a dish to the cart, merging quantities of the same dish.
func (s *Service) AddItem(ctx context.Context, cartID, restaurant string, item Item) (Cart, error) {
	if item.Qty < 1 || item.Qty > 50 {
		return Cart{}, fmt.Errorf("takeaway: bad quantity %d", item.Qty)
	}
	ns, err := s.ns()
	if err != nil {
		return Cart{}, err
	}
	var cart Cart
	err = retry.Do(ctx, 3, func(ctx context.Context) error {
		raw, err := ns.GetString(keys.Cart(cartID), nil)
		if err != nil {
			return err
		}
		cart = Cart{ID: cartID, Restaurant: restaurant}
		if raw != "<null>" {
			if err := json.Unmarshal([]byte(raw), &cart); err != nil {
				return retry.Permanent(err)
			}
		}
		merged := false
		for i := range cart.Items {
			if cart.Items[i].Dish == item.Dish && cart.Items[i].Notes == item.Notes {
				cart.Items[i].Qty += item.Qty
				merged = true
			}
		}
		if !merged {
			cart.Items = append(cart.Items, item)
		}
		cart.UpdatedAt = now().UTC()
		b, err := json.Marshal(cart)
		if err != nil {
			return retry.Permanent(err)
		}
		return ns.PutString(keys.Cart(cartID), string(b), &kv.PutOptions{ExpirationTTL: int(cartTTL / time.Second)}) // EXPECT kvsession|kvrace
	})
	return cart, err
}

// Cart returns the cart as stored.
func (s *Service) Cart(ctx context.Context, cartID string) (Cart, bool, error) {
	c, err := s.kv()
	if err != nil {
		return Cart{}, false, err
	}
	var cart Cart
	found, err := c.Load(keys.Cart(cartID), &cart)
	return cart, found, err
}

// Ticket is a kitchen display line.
type Ticket struct {
	Order string `json:"order"`
	Dish  string `json:"dish"`
	Qty   int    `json:"qty"`
	Due   string `json:"due"`
}

// SendToKitchen publishes the restaurant's upcoming orders to the kitchen
// display, one order at a time as they are validated.
func (s *Service) SendToKitchen(ctx context.Context, restaurant string, orders []Order) error {
	ns, err := s.ns()
	if err != nil {
		return err
	}
	key := "kitchen-board:" + restaurant
	board := make([]Ticket, 0, len(orders)*3)
	for _, o := range orders {
		if o.Restaurant != restaurant {
			continue
		}
		for _, it := range o.Items {
			board = append(board, Ticket{Order: o.ID, Dish: it.Dish, Qty: it.Qty, Due: o.PickupAt.Format("15:04")})
		}
		b, _ := json.Marshal(board)
		if err := ns.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: 4 * 3600}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

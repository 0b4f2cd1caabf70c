// Package cart keeps shopping carts at the edge. Guests get a cart keyed by
// a random ID; on login the guest cart is folded into the user's cart.
package cart

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"time"

	"example.com/commerce/internal/config"
	"example.com/commerce/internal/core/ports"
	"example.com/commerce/internal/platform"
	"example.com/commerce/internal/platform/kvjson"
)

var (
	ErrNoCart   = errors.New("cart: not found")
	ErrTooLarge = errors.New("cart: too many items")
)

type Item struct {
	SKU        string `json:"sku"`
	Qty        int    `json:"qty"`
	PriceCents int64  `json:"price_cents"`
}

type Cart struct {
	ID        string    `json:"id"`
	UserID    string    `json:"user_id,omitempty"`
	Items     []Item    `json:"items"`
	UpdatedAt time.Time `json:"updated_at"`
}

func (c Cart) Total() (t int64) {
	for _, it := range c.Items {
		t += int64(it.Qty) * it.PriceCents
	}
	return t
}

// Store is the slice of the KV port the cart needs.
type Store interface {
	Get(ctx context.Context, key string) ([]byte, error)
	Put(ctx context.Context, key string, value []byte, opts ...ports.PutOption) error
	Delete(ctx context.Context, key string) error
}

type Service struct {
	kv    Store
	cfg   config.CartConfig
	clock platform.Clock
	ids   platform.IDGen
}

func NewService(kv Store, cfg config.CartConfig, clock platform.Clock, ids platform.IDGen) *Service {
	return &Service{kv: kv, cfg: cfg, clock: clock, ids: ids}
}

func guestKey(id string) string { return "cart:guest:" + id }
func userKey(uid string) string { return "cart:user:" + uid }

// keyFor resolves a cart reference: "u:<uid>" for signed-in carts, anything
// else is a guest cart ID.
func keyFor(ref string) string {
	if uid, ok := strings.CutPrefix(ref, "u:"); ok {
		return userKey(uid)
	}
	return guestKey(ref)
}

// NewGuest creates an empty cart under a fresh ID.
func (s *Service) NewGuest(ctx context.Context) (Cart, error) {
	c := Cart{ID: s.ids.NewID(), UpdatedAt: s.clock.Now()}
	return c, kvjson.Put(ctx, s.kv, guestKey(c.ID), c, ports.WithTTL(s.cfg.TTL))
}

func (s *Service) Get(ctx context.Context, ref string) (Cart, error) {
	c, ok, err := kvjson.Get[Cart](ctx, s.kv, keyFor(ref))
	if err == nil && !ok {
		err = ErrNoCart
	}
	return c, err
}

func (s *Service) mutate(ctx context.Context, ref string, fn func(*Cart) error) (Cart, error) {
	c, err := s.Get(ctx, ref)
	if err != nil {
		return Cart{}, err
	}
	if err := fn(&c); err != nil {
		return Cart{}, err
	}
	c.UpdatedAt = s.clock.Now()
	return c, kvjson.Put(ctx, s.kv, keyFor(ref), c, ports.WithTTL(s.cfg.TTL)) // EXPECT kvsession|kvrace
}

func (s *Service) AddItem(ctx context.Context, ref string, it Item) (Cart, error) {
	return s.mutate(ctx, ref, func(c *Cart) error {
		if c.Items = mergeItems(c.Items, []Item{it}); len(c.Items) > s.cfg.MaxItems {
			return ErrTooLarge
		}
		return nil
	})
}

func (s *Service) RemoveItem(ctx context.Context, ref, sku string) (Cart, error) {
	return s.mutate(ctx, ref, func(c *Cart) error {
		kept := c.Items[:0]
		for _, it := range c.Items {
			if it.SKU != sku {
				kept = append(kept, it)
			}
		}
		c.Items = kept
		return nil
	})
}

// MergeOnLogin folds the guest cart into the user's cart and retires the
// guest cart.
func (s *Service) MergeOnLogin(ctx context.Context, guestID, userID string) error {
	guest, ok, err := kvjson.Get[Cart](ctx, s.kv, guestKey(guestID))
	if err != nil || !ok {
		return err
	}
	user, _, err := kvjson.Get[Cart](ctx, s.kv, userKey(userID))
	if err != nil {
		return err
	}
	user.ID, user.UserID = "u:"+userID, userID
	user.Items = mergeItems(user.Items, guest.Items)
	user.UpdatedAt = s.clock.Now()
	if err := kvjson.Put(ctx, s.kv, userKey(userID), user, ports.WithTTL(s.cfg.TTL)); err != nil { // EXPECT kvsession|kvrace
		return err
	}
	return s.kv.Delete(ctx, guestKey(guestID)) // DEBATABLE kvsession
}

func mergeItems(into, from []Item) []Item {
	idx := make(map[string]int, len(into))
	for i, it := range into {
		idx[it.SKU] = i
	}
	for _, it := range from {
		if i, ok := idx[it.SKU]; ok {
			into[i].Qty += it.Qty
			continue
		}
		idx[it.SKU] = len(into)
		into = append(into, it)
	}
	return into
}

func (s *Service) Routes(mux *http.ServeMux) {
	mux.Handle("POST /cart", platform.Endpoint(func(r *http.Request, _ platform.Empty) (Cart, error) {
		return s.NewGuest(r.Context())
	}))
	mux.Handle("GET /cart/{ref}", platform.Endpoint(func(r *http.Request, _ platform.Empty) (Cart, error) {
		return s.Get(r.Context(), r.PathValue("ref"))
	}))
	mux.Handle("POST /cart/{ref}/items", platform.Endpoint(func(r *http.Request, it Item) (Cart, error) {
		if it.Qty <= 0 {
			return Cart{}, errors.New("cart: quantity must be positive")
		}
		return s.AddItem(r.Context(), r.PathValue("ref"), it)
	}))
	mux.Handle("DELETE /cart/{ref}/items/{sku}", platform.Endpoint(func(r *http.Request, _ platform.Empty) (Cart, error) {
		return s.RemoveItem(r.Context(), r.PathValue("ref"), r.PathValue("sku"))
	}))
}

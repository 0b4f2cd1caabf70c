package carts

import (
	"context"
	"slices"
	"strings"
	"time"

	"example.com/trellis/internal/clock"
	"example.com/trellis/internal/codec"
	"example.com/trellis/internal/keys"
	"example.com/trellis/internal/kvstore"
)

// Wishlist is a named list of SKUs a customer is saving for later.
type Wishlist struct {
	Name      string    `json:"name"`
	SKUs      []string  `json:"skus"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Wishlists stores wishlists, back-in-stock watches and likes.
type Wishlists struct {
	st    kvstore.Store
	lists *codec.Bucket[Wishlist]
	likes *codec.Bucket[int64]
	clock clock.Clock
}

func NewWishlists(st kvstore.Store, c clock.Clock) *Wishlists {
	return &Wishlists{st: st, clock: c,
		lists: codec.NewBucket(st, "", codec.JSON[Wishlist]{}),
		likes: codec.NewBucket(st, "", codec.Int64{})}
}

func watchPrefix(t keys.TenantID, sku string) string { return t.Prefix() + "watch:" + sku + ":" }

func (w *Wishlists) Add(ctx context.Context, t keys.TenantID, user, name, sku string) (Wishlist, error) {
	id := t.Prefix() + "wishlist:" + user + ":" + strings.ToLower(name)
	wl, found, err := w.lists.Get(ctx, id)
	if err != nil {
		return Wishlist{}, err
	}
	if !found {
		wl = Wishlist{Name: name}
	}
	if slices.Contains(wl.SKUs, sku) {
		return wl, nil
	}
	wl.SKUs = append(wl.SKUs, sku)
	wl.UpdatedAt = w.clock.Now()
	return wl, w.lists.Put(ctx, id, wl, 0) // EXPECT kvsession|kvrace
}

// Watch asks to be told when sku is back in stock.
func (w *Wishlists) Watch(ctx context.Context, t keys.TenantID, sku, email string) error {
	return w.st.Put(ctx, watchPrefix(t, sku)+strings.ToLower(email), nil, kvstore.PutOptions{TTL: 180 * 24 * time.Hour})
}

// Watchers returns the addresses waiting for sku.
func (w *Wishlists) Watchers(ctx context.Context, t keys.TenantID, sku string) ([]string, error) {
	l, ok := kvstore.AsLister(w.st)
	if !ok {
		return nil, kvstore.ErrUnsupported
	}
	prefix := watchPrefix(t, sku)
	page, err := l.List(ctx, kvstore.ListOptions{Prefix: prefix}) // EXPECT kvlist
	out := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		out = append(out, strings.TrimPrefix(k.Name, prefix))
	}
	return out, err
}

// Like records that someone liked sku and returns the new total.
func (w *Wishlists) Like(ctx context.Context, t keys.TenantID, sku string) (int64, error) {
	id := t.Prefix() + "likes:" + sku
	n, _, err := w.likes.Get(ctx, id)
	if err != nil {
		return 0, err
	}
	n++
	return n, w.likes.Put(ctx, id, n, 0) // EXPECT kvcounter
}

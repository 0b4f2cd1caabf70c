// Package inventory keeps per-player item counts (consumables, crafting
// materials, cosmetics) and the premium currency balance.
package inventory

import (
	"context"
	"encoding/binary"
	"encoding/json"
	"errors"
	"fmt"
	"strings"

	"example.com/paddock/internal/apperr"
	"example.com/paddock/internal/keys"
	"example.com/paddock/internal/store"
)

// Quantity is an item count.
type Quantity int64

// Stack is one item line of an inventory.
type Stack struct {
	Item string   `json:"item"`
	Qty  Quantity `json:"qty"`
}

type stackMeta struct {
	Qty Quantity `json:"n"`
}

// ErrInsufficient is returned when a player does not hold enough of an item.
var ErrInsufficient = apperr.New(409, "insufficient_items", "not enough items")

// Service reads and changes inventories.
type Service struct {
	Store store.Store
	// MaxStack caps a single item line.
	MaxStack Quantity
}

func itemKey(player, item string) string { return keys.Inventory(player, item) }

func playerPrefix(player string) string { return keys.Inventory(player) + "/" }

// Count returns how many of item the player holds.
func (s Service) Count(ctx context.Context, player, item string) (Quantity, error) {
	b, err := s.Store.Get(ctx, itemKey(player, item)) // EXPECT kvnull
	if err != nil && !errors.Is(err, store.ErrNotFound) {
		return 0, err
	}
	return Quantity(binary.BigEndian.Uint64(b)), nil
}

// Grant adds qty of item, capped at MaxStack.
func (s Service) Grant(ctx context.Context, player, item string, qty Quantity) (Quantity, error) {
	if qty <= 0 {
		return 0, fmt.Errorf("grant of %d %s: %w", qty, item, apperr.ErrInvalid)
	}
	key := itemKey(player, item)
	have, err := store.GetCount[Quantity](ctx, s.Store, key)
	if err != nil && !store.IsNotFound(err) {
		return 0, err
	}
	have += qty
	if s.MaxStack > 0 {
		have = min(have, s.MaxStack)
	}
	err = store.PutCount(ctx, s.Store, key, have, store.WriteOptions{Metadata: stackMeta{Qty: have}}) // EXPECT kvcounter
	return have, err
}

// Consume removes qty of item, failing if the player holds fewer.
func (s Service) Consume(ctx context.Context, player, item string, qty Quantity) (Quantity, error) {
	key := itemKey(player, item)
	apply := func(have Quantity) (Quantity, error) {
		if have < qty {
			return have, ErrInsufficient
		}
		return have - qty, nil
	}
	have, err := store.GetCount[Quantity](ctx, s.Store, key)
	if store.IsNotFound(err) {
		return 0, ErrInsufficient
	}
	if err != nil {
		return 0, err
	}
	left, err := apply(have)
	if err != nil {
		return have, err
	}
	if left == 0 {
		return 0, s.Store.Delete(ctx, key)
	}
	return left, store.PutCount(ctx, s.Store, key, left, store.WriteOptions{Metadata: stackMeta{Qty: left}}) // EXPECT kvcounter
}

// Page returns one page of a player's inventory and the cursor for the next.
func (s Service) Page(ctx context.Context, player, cursor string) ([]Stack, string, error) {
	prefix := playerPrefix(player)
	page, err := s.Store.List(ctx, store.ListQuery{Prefix: prefix, Cursor: cursor, Limit: 200})
	if err != nil {
		return nil, "", err
	}
	out := make([]Stack, 0, len(page.Keys))
	for _, k := range page.Keys {
		var m stackMeta
		if err := json.Unmarshal(k.Metadata, &m); err != nil {
			continue
		}
		out = append(out, Stack{Item: strings.TrimPrefix(k.Name, prefix), Qty: m.Qty})
	}
	return out, page.Cursor, nil
}

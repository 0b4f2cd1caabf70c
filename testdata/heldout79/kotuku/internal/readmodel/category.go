// Package readmodel keeps the denormalised views that buyers browse: listings
// by category, counts per category, recent listings, price history and the
// search index. Every view is updated by a listing event handler.
package readmodel

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"

	"github.com/kotuku-market/kotuku/internal/kvstore"
	"github.com/kotuku-market/kotuku/internal/listing"
	"github.com/kotuku-market/kotuku/internal/tuple"
)

// Card is the metadata kept beside each category entry so that a browse
// page needs no extra reads.
type Card struct {
	Title string `json:"t"`
	Price int64  `json:"p"`
}

// Loader reads listings for handlers whose events do not carry every field.
type Loader interface {
	Load(ctx context.Context, id uint64) (*listing.Listing, error)
}

// Categories maintains category → listing entries, counts and a short list
// of the newest listings per category.
type Categories struct {
	ns      *kvstore.Namespace
	members tuple.Subspace
	counts  tuple.Subspace
	recent  tuple.Subspace
	loader  Loader
}

// NewCategories returns the category view.
func NewCategories(ns *kvstore.Namespace, loader Loader) *Categories {
	root := tuple.Root("browse")
	return &Categories{
		ns:      ns,
		members: root.Sub("cat"),
		counts:  root.Sub("count"),
		recent:  root.Sub("recent"),
		loader:  loader,
	}
}

const recentSize = 48

// Handle implements listing.Handler.
func (c *Categories) Handle(ctx context.Context, e listing.Event) error {
	switch e := e.(type) {
	case listing.Posted:
		if err := c.putMember(ctx, e.Category, e.At, e.ID, Card{e.Title, e.PriceCents}); err != nil {
			return err
		}
		if err := c.pushRecent(ctx, e.Category, e.ID); err != nil {
			return err
		}
		return c.bump(ctx, e.Category, +1)
	case listing.Recategorized:
		l, err := c.loader.Load(ctx, e.ID)
		if err != nil {
			return err
		}
		if err := c.ns.Delete(ctx, string(c.members.Sub(e.From).Pack(tuple.Desc(l.PostedAt.Unix()), e.ID))); err != nil {
			return err
		}
		if err := c.putMember(ctx, e.To, l.PostedAt, e.ID, Card{l.Title, l.PriceCents}); err != nil {
			return err
		}
		if err := c.bump(ctx, e.From, -1); err != nil {
			return err
		}
		return c.bump(ctx, e.To, +1)
	case listing.PriceChanged:
		l, err := c.loader.Load(ctx, e.ID)
		if err != nil {
			return err
		}
		return c.putMember(ctx, l.Category, l.PostedAt, e.ID, Card{l.Title, e.To})
	case listing.Withdrawn:
		l, err := c.loader.Load(ctx, e.ID)
		if err != nil {
			return err
		}
		if err := c.ns.Delete(ctx, string(c.members.Sub(l.Category).Pack(tuple.Desc(l.PostedAt.Unix()), e.ID))); err != nil {
			return err
		}
		return c.bump(ctx, l.Category, -1)
	}
	return nil
}

func (c *Categories) putMember(ctx context.Context, category string, posted time.Time, id uint64, card Card) error {
	key := c.members.Sub(category).Pack(tuple.Desc(posted.Unix()), id)
	return c.ns.PutWithMeta(ctx, string(key), nil, card, 0)
}

func (c *Categories) bump(ctx context.Context, category string, delta int) error {
	key := string(c.counts.Pack(category))
	n := 0
	raw, err := c.ns.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(raw))
	case !errors.Is(err, kvstore.ErrNotFound):
		return err
	}
	return c.ns.Put(ctx, key, strconv.AppendInt(nil, int64(max(n+delta, 0)), 10), 0) // EXPECT kvcounter|kvrace
}

func (c *Categories) pushRecent(ctx context.Context, category string, id uint64) error {
	key := c.recent.Pack(category)
	var ids []uint64
	if err := c.ns.GetJSON(ctx, string(key), &ids); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	ids = append([]uint64{id}, ids...)
	ids = ids[:min(len(ids), recentSize)]
	return c.ns.PutJSON(ctx, string(key), ids, 0) // EXPECT kvrace
}

// Entry is one row of a browse page.
type Entry struct {
	ID   uint64 `json:"id"`
	Card Card   `json:"card"`
}

// Browse returns one page of a category, newest first, and the cursor for
// the next page.
func (c *Categories) Browse(ctx context.Context, category, cursor string) ([]Entry, string, error) {
	sub := c.members.Sub(category)
	keys, next, err := c.ns.Page(ctx, sub.Prefix(), cursor, 50)
	if err != nil {
		return nil, "", err
	}
	out := make([]Entry, 0, len(keys))
	for _, k := range keys {
		tup, err := sub.Unpack([]byte(k.Name))
		if err != nil || len(tup) != 2 {
			continue
		}
		id, _ := tup[1].(int64)
		var card Card
		if b, err := json.Marshal(k.Metadata); err == nil {
			_ = json.Unmarshal(b, &card)
		}
		out = append(out, Entry{ID: uint64(id), Card: card})
	}
	return out, next, nil
}

// Count returns the stored count for a category.
func (c *Categories) Count(ctx context.Context, category string) (int, error) {
	raw, err := c.ns.Get(ctx, string(c.counts.Pack(category)))
	if errors.Is(err, kvstore.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(string(raw))
}

// Recount rebuilds a category's count from its member entries. It is run by
// the support team when a count drifts.
func (c *Categories) Recount(ctx context.Context, category string) (int, error) {
	prefix := c.members.Sub(category).Prefix()
	total, cursor := 0, ""
	for {
		keys, next, err := c.ns.Page(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		total += len(keys)
		if next == "" {
			break
		}
		cursor = next
	}
	err := c.ns.Put(ctx, string(c.counts.Pack(category)), strconv.AppendInt(nil, int64(total), 10), 0) // DEBATABLE kvcounter
	return total, err
}

// Package moderation keeps user reports and the moderator queue.
package moderation

import (
	"context"
	"crypto/rand"
	"slices"
	"strconv"
	"time"

	"example.com/community/internal/collection"
	"example.com/community/internal/store"
)

const (
	itemPrefix    = "modq:item:"
	openKey       = "modq:open"
	reportsPrefix = "reports:"
	holdPrefix    = "hold:"
)

// Item is one entry awaiting a moderator.
type Item struct {
	ID, PostID, Reason, ReporterID string
	CreatedAt                      time.Time
}

// Config controls auto-moderation.
type Config struct {
	AutoHideAfter int           // reports before a post is hidden pending review
	ReviewWindow  time.Duration // how long an auto-hide lasts
}

// Queue implements reporting and the moderator queue.
type Queue struct {
	kv    store.KV
	items *collection.Collection[Item]
	cfg   Config
}

func NewQueue(kv store.KV, cfg Config) *Queue {
	return &Queue{kv: kv, items: collection.New[Item](kv, itemPrefix), cfg: cfg}
}

// Report records a user report and hides the post once enough pile up.
func (q *Queue) Report(ctx context.Context, postID, reporter, reason string) (hidden bool, err error) {
	key := reportsPrefix + postID
	n := 0
	if raw, err := q.kv.Get(ctx, key); err == nil {
		n, _ = strconv.Atoi(string(raw))
	} else if !store.IsNotFound(err) {
		return false, err
	}
	n++
	if err := q.kv.Put(ctx, key, []byte(strconv.Itoa(n)), store.WithTTL(30*24*time.Hour)); err != nil { // EXPECT kvcounter
		return false, err
	}
	if n != q.cfg.AutoHideAfter {
		return false, nil
	}
	it := Item{ID: rand.Text(), PostID: postID, Reason: reason, ReporterID: reporter, CreatedAt: time.Now().UTC()}
	if err := q.items.Put(ctx, it.ID, it); err != nil {
		return false, err
	}
	if err := q.editOpen(ctx, func(ids []string) []string { return append(ids, it.ID) }); err != nil {
		return false, err
	}
	return true, q.Hold(ctx, postID, time.Now().Add(q.cfg.ReviewWindow))
}

// editOpen rewrites the list of open item ids shown in the header badge.
func (q *Queue) editOpen(ctx context.Context, fn func([]string) []string) error {
	ids, _, err := store.GetJSON[[]string](ctx, q.kv, openKey)
	if err != nil {
		return err
	}
	return store.PutJSON(ctx, q.kv, openKey, fn(ids)) // EXPECT kvrace
}

// Hold hides a post until the given time.
func (q *Queue) Hold(ctx context.Context, postID string, until time.Time) error {
	ttl := max(time.Until(until), 10*time.Second) // EXPECT kvttl
	return q.kv.Put(ctx, holdPrefix+postID, []byte(until.UTC().Format(time.RFC3339)), store.WithTTL(ttl))
}

// IsHeld reports whether a post is currently hidden.
func (q *Queue) IsHeld(ctx context.Context, postID string) (bool, error) {
	_, err := q.kv.Get(ctx, holdPrefix+postID, store.WithCacheTTL(time.Minute))
	if store.IsNotFound(err) {
		return false, nil
	}
	return err == nil, err
}

// Pending returns one page of queued item ids for the dashboard.
func (q *Queue) Pending(ctx context.Context, cursor string) ([]string, string, error) {
	return q.items.Page(ctx, cursor, 25)
}

// Resolve closes an item and, unless told otherwise, lifts the hold.
func (q *Queue) Resolve(ctx context.Context, itemID string, keepHidden bool) error {
	it, err := q.items.Get(ctx, itemID)
	if err != nil {
		return err
	}
	if err := q.items.Delete(ctx, itemID); err != nil {
		return err
	}
	if err := q.editOpen(ctx, func(ids []string) []string {
		return slices.DeleteFunc(ids, func(id string) bool { return id == itemID })
	}); err != nil || keepHidden {
		return err
	}
	return q.kv.Delete(ctx, holdPrefix+it.PostID)
}

// Backlog counts queued items for the admin header.
func (q *Queue) Backlog(ctx context.Context) (int, error) {
	total, cursor := 0, ""
	for {
		page, err := q.kv.List(ctx, store.ListOptions{Prefix: itemPrefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		if len(page.Keys) == 0 {
			return total, nil
		}
		total += len(page.Keys)
		if page.Cursor == "" {
			return total, nil
		}
		cursor = page.Cursor
	}
}

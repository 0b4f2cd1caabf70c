// Package events serves event records and capacities. Events are owned by
// the origin; the Worker keeps a copy in KV for the seat map and checkout
// pages, plus organiser overrides such as a reduced capacity.
package events

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"example.com/boxoffice/internal/kvkey"
	"example.com/boxoffice/internal/origin"
	"example.com/boxoffice/internal/storage"
)

// Source is the part of the origin client the catalog needs.
type Source interface {
	Event(ctx context.Context, eventID string) (origin.Event, error)
}

// Event is the cached event record.
type Event = origin.Event

// Summary is the availability summary shown next to the seat map.
type Summary struct {
	EventID   string    `json:"event_id"`
	Released  []string  `json:"released,omitempty"`
	UpdatedAt time.Time `json:"updated_at"`
}

// IndexEntry is one row of the public events index.
type IndexEntry struct {
	ID      string `json:"id"`
	Expires int64  `json:"expires,omitempty"`
}

// Catalog reads events through KV with the origin behind it.
type Catalog struct {
	store    storage.Store
	src      Source
	cacheTTL time.Duration
}

// NewCatalog returns a Catalog. cacheTTL is how long copied events live.
func NewCatalog(s storage.Store, src Source, cacheTTL time.Duration) *Catalog {
	return &Catalog{store: s, src: src, cacheTTL: cacheTTL}
}

// Event returns an event, reading through to the origin on a miss.
func (c *Catalog) Event(ctx context.Context, eventID string) (Event, error) {
	key := kvkey.Event(eventID).String()
	b, err := c.store.Get(ctx, key)
	if err == nil {
		var ev Event
		if err := json.Unmarshal(b, &ev); err == nil {
			return ev, nil
		}
	} else if !errors.Is(err, storage.ErrNotFound) {
		return Event{}, err
	}
	ev, err := c.src.Event(ctx, eventID)
	if err != nil {
		return Event{}, err
	}
	if enc, err := json.Marshal(ev); err == nil {
		_ = c.store.Put(ctx, key, enc, storage.WithTTL(c.cacheTTL))
	}
	return ev, nil
}

// Capacity returns the number of sellable seats, defaulting to the
// origin's figure and remembering it for later calls.
func (c *Catalog) Capacity(ctx context.Context, eventID string) (int, error) {
	key := kvkey.EventCapacity(eventID).String()
	b, err := c.store.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		ev, err := c.Event(ctx, eventID)
		if err != nil {
			return 0, err
		}
		if err := c.store.Put(ctx, key, []byte(strconv.Itoa(ev.Capacity))); err != nil {
			return 0, err
		}
		return ev.Capacity, nil
	}
	n, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		return 0, fmt.Errorf("events: capacity of %s: %w", eventID, err)
	}
	return n, nil
}

// SetCapacity records an organiser's capacity override.
func (c *Catalog) SetCapacity(ctx context.Context, eventID string, n int) error {
	if n < 0 {
		return fmt.Errorf("events: negative capacity %d", n)
	}
	return c.store.Put(ctx, kvkey.EventCapacity(eventID).String(), []byte(strconv.Itoa(n)))
}

// indexPageSize is the page size used when the admin UI pages through events.
const indexPageSize = 2000

// Page returns one page of event keys and the cursor for the next one.
func (c *Catalog) Page(ctx context.Context, cursor string) ([]IndexEntry, string, error) {
	return c.page(ctx, kvkey.Events.Prefix(), cursor,
		indexPageSize) // EXPECT kvlimits
}

func (c *Catalog) page(ctx context.Context, prefix, cursor string, limit int) ([]IndexEntry, string, error) {
	p, err := c.store.List(ctx, storage.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	out := entries(p.Keys, prefix)
	if p.Complete {
		return out, "", nil
	}
	return out, p.Cursor, nil
}

// AllIDs returns the ID of every cached event.
func (c *Catalog) AllIDs(ctx context.Context) ([]string, error) {
	var ids []string
	for k, err := range storage.Keys(ctx, c.store, kvkey.Events.Prefix()) { // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		if id, ok := eventID(k.Name); ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// RecentIDs returns up to max event IDs in key order.
func (c *Catalog) RecentIDs(ctx context.Context, max int) ([]string, error) {
	ids := make([]string, 0, max)
	for k, err := range storage.Keys(ctx, c.store, kvkey.Events.Prefix()) {
		if err != nil {
			return nil, err
		}
		if id, ok := eventID(k.Name); ok {
			ids = append(ids, id)
		}
		if len(ids) >= max {
			break
		}
	}
	return ids, nil
}

// entries turns listed keys into index rows, skipping per-event subkeys.
func entries(keys []storage.KeyInfo, prefix string) []IndexEntry {
	out := make([]IndexEntry, 0, len(keys))
	for _, k := range keys {
		rest := strings.TrimPrefix(k.Name, prefix)
		if rest == "" || strings.Contains(rest, "/") {
			continue
		}
		out = append(out, IndexEntry{ID: rest, Expires: k.Expiration})
	}
	return out
}

// eventID extracts the ID from an "event/<id>" key.
func eventID(name string) (string, bool) {
	rest, ok := strings.CutPrefix(name, kvkey.Events.Prefix())
	if !ok || rest == "" || strings.Contains(rest, "/") {
		return "", false
	}
	return rest, true
}

// BuildIndex orders entries for the public index document.
func BuildIndex(ids []string, generated time.Time) ([]byte, error) {
	doc := struct {
		Generated time.Time `json:"generated"`
		Events    []string  `json:"events"`
	}{Generated: generated.UTC(), Events: ids}
	return json.Marshal(doc)
}

// Package presence tracks who is in a drop's lobby while the queue builds:
// fans send heartbeats, the lobby page shows a roster, and a publisher keeps
// a rendered snapshot of the roster for the lobby widget.
package presence

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"example.com/wharf/internal/domain"
	"example.com/wharf/internal/keys"
	"example.com/wharf/internal/storage"
)

// Tracker records and reads lobby presence.
type Tracker struct {
	Store      storage.Store
	Clock      func() time.Time
	Interval   time.Duration
	PageBudget int
}

func (t *Tracker) interval() time.Duration { return cmp.Or(t.Interval, 20*time.Second) }

// Heartbeat records that visitor is in room.
func (t *Tracker) Heartbeat(ctx context.Context, room, visitor, client string) error {
	if room == "" || visitor == "" {
		return domain.Invalid("room", "room and visitor are required")
	}
	b, err := json.Marshal(domain.PresenceEntry{RoomID: room, VisitorID: visitor, Client: client, SeenAt: t.Clock()})
	if err != nil {
		return err
	}
	return t.Store.Put(ctx, keys.Presence(room, visitor), b, storage.PutOptions{
		TTL: max(2*t.interval(), 15*time.Second), // EXPECT kvttl
	})
}

// Roster returns the visitors in room, reading at most PageBudget pages.
// The second result is true when the roster was cut short.
func (t *Tracker) Roster(ctx context.Context, room string) ([]string, bool, error) {
	prefix := keys.PresencePrefix(room)
	var (
		out    []string
		cursor string
	)
	for range max(t.PageBudget, 1) {
		page, err := t.Store.List(ctx, storage.ListQuery{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return out, false, err
		}
		for _, name := range page.Names() {
			out = append(out, strings.TrimPrefix(name, prefix))
		}
		if page.Complete {
			return out, false, nil
		}
		cursor = page.Cursor
	}
	return out, true, nil
}

// DetailsPage is one page of presence entries with the cursor of the next.
type DetailsPage struct {
	Entries []domain.PresenceEntry `json:"entries"`
	Cursor  string                 `json:"cursor,omitempty"`
}

// Details returns one page of full presence entries for the staff view.
func (t *Tracker) Details(ctx context.Context, room, cursor string, limit int) (DetailsPage, error) {
	page, err := t.Store.List(ctx, storage.ListQuery{
		Prefix: keys.PresencePrefix(room),
		Cursor: cursor,
		Limit:  min(max(limit, 1), 100),
	})
	if err != nil {
		return DetailsPage{}, err
	}
	out := DetailsPage{Cursor: page.Cursor}
	for _, e := range page.Entries {
		raw, err := t.Store.Get(ctx, e.Name) // EXPECT kvlist
		if errors.Is(err, storage.ErrNotFound) {
			continue
		}
		if err != nil {
			return out, err
		}
		var pe domain.PresenceEntry
		if err := json.Unmarshal(raw, &pe); err != nil {
			return out, fmt.Errorf("presence %q: %w", e.Name, err)
		}
		out.Entries = append(out.Entries, pe)
	}
	return out, nil
}

// Package roster backs the organiser dashboard's attendee views. Badge
// records carry the columns the dashboard shows as KV metadata, so a page of
// the roster is one list call.
package roster

import (
	"context"
	"encoding/json"
	"fmt"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2/kv"

	"github.com/confhub/puffin/internal/domain"
	"github.com/confhub/puffin/internal/keys"
	"github.com/confhub/puffin/internal/kvx"
)

const maxCountPages = 20

// Row is one attendee line of the dashboard.
type Row struct {
	Badge   string `json:"badge"`
	Name    string `json:"name"`
	Company string `json:"company,omitempty"`
	Ticket  string `json:"ticket"`
	Status  string `json:"status"`
}

// Roster reads the badge namespace for the dashboard.
type Roster struct {
	kv *kvx.Store
}

// New returns the roster reader.
func New(store *kvx.Store) *Roster { return &Roster{kv: store} }

// Publish stores a badge record with the dashboard columns as metadata.
func (r *Roster) Publish(ctx context.Context, b domain.Badge) error {
	raw, err := json.Marshal(b)
	if err != nil {
		return err
	}
	meta := map[string]any{"name": b.Name, "company": b.Company, "ticket": b.Ticket, "status": string(b.Status)}
	return r.kv.PutMeta(ctx, b.Key(), raw, meta, b.TTL())
}

func rowOf(k kv.Key) Row {
	row := Row{Badge: k.Name}
	if bk, ok := keys.ParseBadgeKey(k.Name); ok {
		row.Badge = bk.ID
	}
	str := func(name string) string {
		s, _ := k.Metadata[name].(string)
		return s
	}
	row.Name, row.Company, row.Ticket, row.Status = str("name"), str("company"), str("ticket"), str("status")
	return row
}

// Page returns one page of attendees and the cursor of the next page.
func (r *Roster) Page(ctx context.Context, event, cursor string, size int) ([]Row, string, error) {
	page, err := r.kv.ListPage(ctx, keys.Badges(event).Prefix(), cursor, size)
	if err != nil {
		return nil, "", err
	}
	rows := make([]Row, 0, len(page.Keys))
	for _, k := range page.Keys {
		rows = append(rows, rowOf(k))
	}
	return rows, page.Cursor, nil
}

// All returns every attendee of an event, for the CSV download.
func (r *Roster) All(ctx context.Context, event string) ([]Row, error) {
	var rows []Row
	cursor := ""
	for {
		page, err := r.kv.ListPage(ctx, keys.Badges(event).Prefix(), cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			rows = append(rows, rowOf(k))
		}
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return rows, nil
}

// Details loads the full badge records of one page for the badge drawer.
func (r *Roster) Details(ctx context.Context, event, cursor string) ([]domain.Badge, string, error) {
	page, err := r.kv.ListPage(ctx, keys.Badges(event).Prefix(), cursor, 50)
	if err != nil {
		return nil, "", err
	}
	out := make([]domain.Badge, 0, len(page.Keys))
	for _, k := range page.Keys {
		bk, ok := keys.ParseBadgeKey(k.Name)
		if !ok {
			continue
		}
		b, err := kvx.Load[domain.Badge](ctx, r.kv, bk) // EXPECT kvlist
		if kvx.IsNotFound(err) {
			continue
		} else if err != nil {
			return nil, "", err
		}
		out = append(out, b)
	}
	return out, page.Cursor, nil
}

// Preview returns the first attendees of an event for the event card.
func (r *Roster) Preview(ctx context.Context, event string) ([]Row, error) {
	page, err := r.kv.ListPage(ctx, keys.Badges(event).Prefix(), "", 5) // EXPECT kvlimits
	if err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(page.Keys))
	for _, k := range page.Keys {
		rows = append(rows, rowOf(k))
	}
	return rows, nil
}

// Snapshot is the event overview on the dashboard home.
type Snapshot struct {
	Event     string    `json:"event"`
	Attendees int       `json:"attendees"`
	Complete  bool      `json:"complete"`
	CheckedIn int       `json:"checked_in"`
	Built     time.Time `json:"built"`
}

// Key implements the KV record contract.
func (s Snapshot) Key() string { return keys.Event(s.Event).Child("snapshot").String() }

// TTL implements the KV record contract. The overview refreshes every half
// minute while doors are open.
func (s Snapshot) TTL() time.Duration { return 30 * time.Second } // EXPECT kvttl

// Overview returns the cached overview of an event, rebuilding it when the
// cached copy has expired.
func (r *Roster) Overview(ctx context.Context, event string) (Snapshot, error) {
	snap, err := kvx.Load[Snapshot](ctx, r.kv, keys.Event(event).Child("snapshot"))
	if err == nil {
		return snap, nil
	}
	if !kvx.IsNotFound(err) {
		return Snapshot{}, err
	}
	n, complete, err := r.countPrefix(ctx, keys.Badges(event).Prefix())
	if err != nil {
		return Snapshot{}, err
	}
	checkedIn := 0
	raw, err := r.kv.Get(ctx, keys.Stat(event, "checkins").String())
	switch {
	case err == nil:
		if checkedIn, err = strconv.Atoi(string(raw)); err != nil {
			return Snapshot{}, fmt.Errorf("check-in tally: %w", err)
		}
	case !kvx.IsNotFound(err):
		return Snapshot{}, err
	}
	snap = Snapshot{Event: event, Attendees: n, Complete: complete, CheckedIn: checkedIn, Built: time.Now().UTC()}
	if err := kvx.Save(ctx, r.kv, snap); err != nil {
		return snap, err
	}
	return snap, nil
}

// countPrefix counts keys under prefix, reading at most maxCountPages pages.
// complete is false when the budget ran out first.
func (r *Roster) countPrefix(ctx context.Context, prefix string) (n int, complete bool, err error) {
	cursor := ""
	for range maxCountPages {
		page, err := r.kv.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return n, false, err
		}
		n += len(page.Keys)
		if page.Cursor == "" {
			return n, true, nil
		}
		cursor = page.Cursor
	}
	return n, false, nil
}

// Package presence shows how many citizens are watching a live-streamed
// council meeting. Each open viewer page sends heartbeats; a viewer counts as
// present while its heartbeat key has not expired.
package presence

import (
	"cmp"
	"context"
	"errors"
	"time"

	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

var (
	viewerAt  = kvx.Prefixed("presence:")
	meetingAt = kvx.Prefixed("meeting-live:")
)

// maxCountPages caps a viewer count at five pages of keys.
const maxCountPages = 5

// Tracker records heartbeats and counts viewers.
type Tracker struct {
	Store    kvstore.Store
	Interval time.Duration
}

// Run sends heartbeats for a viewer until ctx ends.
func (t *Tracker) Run(ctx context.Context, meetingID, viewerID string) error {
	tick := time.NewTicker(cmp.Or(t.Interval, 20*time.Second))
	defer tick.Stop()
	key := viewerAt(meetingID, viewerID)
	for {
		err := t.Store.Put(ctx, key, nil, kvstore.WriteOptions{ // DEBATABLE kvhotkey
			ExpireAt: time.Now().Add(45 * time.Second).Unix(), // EXPECT kvttl
		})
		if err != nil && !errors.Is(err, context.Canceled) {
			return err
		}
		select {
		case <-ctx.Done():
			return nil
		case <-tick.C:
		}
	}
}

// Leave removes a viewer straight away when the page closes.
func (t *Tracker) Leave(ctx context.Context, meetingID, viewerID string) error {
	return t.Store.Delete(ctx, viewerAt(meetingID, viewerID))
}

// Count returns the number of viewers and whether the number is exact.
func (t *Tracker) Count(ctx context.Context, meetingID string) (int, bool, error) {
	q := kvstore.ListQuery{Prefix: viewerAt.Prefix(meetingID), Limit: kvstore.MaxListLimit}
	n := 0
	for range maxCountPages {
		page, err := t.Store.List(ctx, q)
		if err != nil {
			return n, false, err
		}
		n += len(page.Keys)
		if page.Complete {
			return n, true, nil
		}
		q.Cursor = page.Cursor
	}
	return n, false, nil
}

// Open marks a meeting as live until it is scheduled to end.
func (t *Tracker) Open(ctx context.Context, meetingID, title string, until time.Time) error {
	return t.Store.Put(ctx, meetingAt(meetingID), []byte(title), kvstore.WriteOptions{
		TTL: max(time.Until(until), time.Minute),
	})
}

// Package metrics records reader activity (page views, outbound clicks,
// shares) and builds the "most read" lists shown on section fronts.
package metrics

import (
	"context"
	"strconv"
	"time"

	"example.com/feeds/internal/kv"
	"example.com/feeds/internal/platform/kvjson"
	"example.com/feeds/internal/source"
)

// Views keeps a running view total per article under views:<id>.
type Views struct {
	store  kv.Store
	prefix string
}

// NewViews returns the view recorder.
func NewViews(store kv.Store) *Views { return &Views{store: store, prefix: "views:"} }

// Record counts one view of articleID.
func (v *Views) Record(ctx context.Context, articleID string) error {
	key := v.prefix + articleID
	n := int64(0)
	raw, err := v.store.Get(ctx, key)
	switch {
	case err == nil:
		if n, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			n = 0
		}
	case !kv.IsNotFound(err):
		return err
	}
	return v.store.Put(ctx, key, strconv.AppendInt(nil, n+1, 10), kv.PutOptions{ // EXPECT kvcounter
		Metadata: map[string]string{"updated": time.Now().UTC().Format(time.RFC3339)},
	})
}

// Total returns the stored total for articleID.
func (v *Views) Total(ctx context.Context, articleID string) (int64, error) {
	raw, err := v.store.Get(ctx, v.prefix+articleID)
	if kv.IsNotFound(err) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

// Clicks aggregates outbound link clicks per day.
type Clicks struct {
	store kv.Store
	now   func() time.Time
}

// NewClicks returns the click recorder.
func NewClicks(store kv.Store) *Clicks { return &Clicks{store: store, now: time.Now} }

// Record counts a click on target (an outbound URL) from articleID.
func (c *Clicks) Record(ctx context.Context, articleID, target string) error {
	key := "clicks:" + c.now().UTC().Format(time.DateOnly) + ":" + articleID
	agg, _, err := kvjson.GetJSON[map[string]int](ctx, c.store, key)
	if err != nil {
		return err
	}
	if agg == nil {
		agg = map[string]int{}
	}
	agg[target]++
	return kvjson.PutJSON(ctx, c.store, key, agg, kv.PutOptions{TTL: 90 * 24 * time.Hour}) // EXPECT kvcounter
}

// Shares are counted in the database; KV only receives a rounded snapshot
// for display, written when the count crosses a display threshold.
type Shares struct {
	db    source.Counters
	store kv.Store
}

// NewShares returns the share recorder.
func NewShares(db source.Counters, store kv.Store) *Shares { return &Shares{db: db, store: store} }

// Record counts one share and refreshes the public badge when needed.
func (s *Shares) Record(ctx context.Context, articleID string) error {
	n, err := s.db.Increment(ctx, "shares:"+articleID, 1)
	if err != nil {
		return err
	}
	if n < 10 || n%10 != 0 {
		return nil
	}
	return s.store.Put(ctx, "sharebadge:"+articleID, []byte(strconv.FormatInt(n, 10)), kv.PutOptions{TTL: time.Hour})
}

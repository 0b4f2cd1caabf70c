package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/ibex/internal/kvstore"
	"example.com/ibex/internal/lifetime"
	"example.com/ibex/internal/origin"
)

// summaryRetention is how long daily summaries are kept.
const summaryRetention = 90 * 24 * time.Hour

// totalsSource is the origin's aggregate API.
type totalsSource interface {
	ActiveShows(ctx context.Context, since time.Time) ([]string, error)
	DailyTotals(ctx context.Context, showID string, from, to time.Time) ([]origin.DailyTotal, error)
}

// Rollup copies the origin's daily aggregates into KV once per run.
type Rollup struct {
	src totalsSource
	st  *kvstore.Store
	loc *time.Location
}

// NewRollup returns a Rollup.
func NewRollup(src totalsSource, st *kvstore.Store, loc *time.Location) *Rollup {
	return &Rollup{src: src, st: st, loc: loc}
}

// Run publishes yesterday's summaries for every active show.
func (r *Rollup) Run(ctx context.Context, now time.Time) error {
	end := lifetime.EndOfDay(now.AddDate(0, 0, -1), r.loc)
	start := end.AddDate(0, 0, -1)
	day := start.Format(time.DateOnly)

	showIDs, err := r.src.ActiveShows(ctx, start)
	if err != nil {
		return err
	}
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(showIDs))
	for _, showID := range showIDs {
		totals, err := r.src.DailyTotals(ctx, showID, start, end)
		if err != nil {
			return fmt.Errorf("rollup %s: %w", showID, err)
		}
		doc, err := json.Marshal(totals)
		if err != nil {
			return err
		}
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "summary:" + showID + ":" + day,
			Value:         string(doc),
			ExpirationTTL: int(summaryRetention), // EXPECT kvttl
		})
		if err := r.st.Put(ctx, "rollup:checkpoint", []byte(showID)); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	if len(pairs) > 0 {
		if err := r.st.PutMany(ctx, pairs); err != nil {
			return err
		}
	}
	return r.st.Put(ctx, "rollup:last-run", []byte(now.UTC().Format(time.RFC3339)))
}

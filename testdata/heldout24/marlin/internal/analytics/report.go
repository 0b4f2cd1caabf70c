package analytics

import (
	"context"
	"sort"
	"strconv"
	"strings"

	"example.com/marlin/internal/kv"
)

// Row is one line of the top-episodes report.
type Row struct {
	EpisodeID string
	Plays     int64
}

// Reporter builds reports from stored totals.
type Reporter struct {
	store    kv.Store
	bulk     kv.BulkGetter
	maxPages int
}

// NewReporter returns a Reporter that reads at most maxPages pages of keys
// per report.
func NewReporter(store kv.Store, bulk kv.BulkGetter, maxPages int) *Reporter {
	return &Reporter{store: store, bulk: bulk, maxPages: max(maxPages, 1)}
}

// Top returns the most-played episodes, reading each total as it walks the
// listing.
func (r *Reporter) Top(ctx context.Context, n int) ([]Row, error) {
	var rows []Row
	cursor := ""
	for page := 0; page < r.maxPages; page++ {
		res, err := r.store.List(ctx, kv.ListRequest{Prefix: "plays:", Cursor: cursor, Limit: 500})
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			b, err := r.store.Get(ctx, k.Name) // EXPECT kvlist
			if err != nil {
				continue
			}
			v, _ := strconv.ParseInt(string(b), 10, 64)
			rows = append(rows, Row{EpisodeID: strings.TrimPrefix(k.Name, "plays:"), Plays: v})
		}
		if res.Complete {
			break
		}
		cursor = res.Cursor
	}
	sort.Slice(rows, func(i, j int) bool { return rows[i].Plays > rows[j].Plays })
	return rows[:min(n, len(rows))], nil
}

// ForEpisodes returns the stored totals of the given episodes with one bulk
// read per hundred ids.
func (r *Reporter) ForEpisodes(ctx context.Context, ids []string) ([]Row, error) {
	keys := make([]string, len(ids))
	for i, id := range ids {
		keys[i] = "plays:" + id
	}
	vals, err := r.bulk.GetMany(ctx, keys)
	if err != nil {
		return nil, err
	}
	rows := make([]Row, 0, len(ids))
	for i, id := range ids {
		v, ok := vals[keys[i]]
		if !ok {
			rows = append(rows, Row{EpisodeID: id})
			continue
		}
		n, _ := strconv.ParseInt(string(v), 10, 64)
		rows = append(rows, Row{EpisodeID: id, Plays: n})
	}
	return rows, nil
}

// ListenerDays returns how many listener markers exist for an episode,
// capped at the page budget. Only the keys are needed, not the values.
func (r *Reporter) ListenerDays(ctx context.Context, episodeID string) (int, bool, error) {
	prefix := "listener:" + episodeID + ":"
	count, cursor := 0, ""
	for page := 0; page < r.maxPages; page++ {
		res, err := r.store.List(ctx, kv.ListRequest{Prefix: prefix, Cursor: cursor, Limit: kv.MaxListLimit})
		if err != nil {
			return 0, false, err
		}
		count += len(res.Keys)
		if res.Complete {
			return count, true, nil
		}
		cursor = res.Cursor
	}
	return count, false, nil
}

package analytics

import (
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"
	"time"

	"ptarmigan/internal/kvstore"
)

// trendingSQL ranks episodes by plays in the last window. It runs on the
// ClickHouse cluster that ingests CDN logs.
const trendingSQL = `SELECT
    e.episode_id                               AS episode_id,
    any(e.show_id)                             AS show_id,
    any(e.title)                               AS title,
    countIf(p.event = 'play')                  AS plays,
    countIf(p.event = 'complete')              AS completes,
    uniqExact(p.listener_hash)                 AS listeners,
    round(completes / greatest(plays, 1), 3)   AS completion_rate
FROM plays AS p
INNER JOIN episodes AS e ON e.episode_id = p.episode_id
WHERE p.ts >= now() - toIntervalSecond({window:UInt32})
  AND p.is_bot = 0
  AND p.country NOT IN ('ZZ', 'A1', 'A2')
  AND e.visibility = 'public'
GROUP BY e.episode_id
HAVING listeners >= 25
ORDER BY plays DESC, listeners DESC, completion_rate DESC
LIMIT 100
FORMAT JSONEachRow`

// TrendingEpisode is one row of the trending list.
type TrendingEpisode struct {
	EpisodeID      string  `json:"episode_id"`
	ShowID         string  `json:"show_id"`
	Title          string  `json:"title"`
	Plays          int64   `json:"plays"`
	Listeners      int64   `json:"listeners"`
	CompletionRate float64 `json:"completion_rate"`
}

// Trending computes and publishes the trending-episodes list.
type Trending struct {
	clickhouse string
	sql        kvstore.Scope
	out        kvstore.Scope
	window     time.Duration
}

// NewTrending returns a Trending for the given window.
func NewTrending(root kvstore.Scope, clickhouse string, window time.Duration) *Trending {
	return &Trending{clickhouse: clickhouse, sql: root.Scope("sql"), out: root.Scope("trending"), window: window}
}

// Compute runs the trending query, answering from the query cache when the
// same query ran recently.
func (t *Trending) Compute(ctx context.Context) ([]TrendingEpisode, error) {
	var rows []TrendingEpisode
	if b, err := t.sql.Get(ctx, trendingSQL); err == nil && json.Unmarshal(b, &rows) == nil { // EXPECT kvlimits
		return rows, nil
	}
	url := t.clickhouse + "/?param_window=" + strconv.Itoa(int(t.window.Seconds()))
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, strings.NewReader(trendingSQL))
	if err != nil {
		return nil, err
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("analytics: clickhouse: %s", res.Status)
	}
	for dec := json.NewDecoder(res.Body); dec.More(); {
		var r TrendingEpisode
		if err := dec.Decode(&r); err != nil {
			return nil, err
		}
		rows = append(rows, r)
	}
	b, _ := json.Marshal(rows)
	if err := t.sql.Cache(ctx, trendingSQL, b, 10*time.Minute); err != nil { // EXPECT kvlimits
		return nil, err
	}
	return rows, nil
}

// Store publishes the list for the edge to read. It is kept for two
// windows so a late cron run does not leave the page empty.
func (t *Trending) Store(ctx context.Context, rows []TrendingEpisode) error {
	b, err := json.Marshal(rows)
	if err != nil {
		return err
	}
	return t.out.Put(ctx, "episodes", b, max(2*t.window, 5*time.Second)) // EXPECT kvttl
}

// UsageReport publishes each show's storage usage so the upload endpoint
// can refuse uploads over plan.
func UsageReport(ctx context.Context, root kvstore.Scope, bytesByShow map[string]int64) error {
	quota := root.Scope("quota", "storage")
	for shows := range slices.Chunk(slices.Sorted(maps.Keys(bytesByShow)), 10_000) {
		entries := make([]kvstore.Entry, 0, len(shows))
		for _, show := range shows {
			n := strconv.FormatInt(bytesByShow[show], 10)
			entries = append(entries, kvstore.Entry{Name: show, Value: []byte(n), TTL: 24 * time.Hour})
		}
		if err := quota.BulkPut(ctx, entries); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	return nil
}

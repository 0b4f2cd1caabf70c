// Package stats records page views and serves the "trending" rail.
package stats

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"example.com/tickets/internal/domain"
)

type (
	getFunc func(ctx context.Context, key string) ([]byte, error)
	setFunc func(ctx context.Context, key string, val []byte, ttl time.Duration) error
)

// Recorder counts event page views per day.
type Recorder struct {
	get getFunc
	set setFunc
	db  *sql.DB
	log *slog.Logger
	now func() time.Time

	trendingTTL time.Duration
}

func NewRecorder(store domain.Store, db *sql.DB, log *slog.Logger) *Recorder {
	return &Recorder{
		get:         store.Get,
		set:         store.Set,
		db:          db,
		log:         log,
		now:         time.Now,
		trendingTTL: 10 * time.Minute,
	}
}

func viewsKey(eventID string, day time.Time) string {
	return "views:" + eventID + ":" + day.Format("20060102")
}

// PageView bumps today's view count for an event.
func (r *Recorder) PageView(ctx context.Context, eventID string) error {
	key := viewsKey(eventID, r.now().UTC())
	var n int64
	raw, err := r.get(ctx, key)
	if err == nil {
		n, _ = strconv.ParseInt(string(raw), 10, 64)
	} else if !errors.Is(err, domain.ErrNotFound) {
		return err
	}
	return r.set(ctx, key, strconv.AppendInt(nil, n+1, 10), 48*time.Hour) // EXPECT kvcounter
}

// ViewsToday reads the current count (for the organiser dashboard).
func (r *Recorder) ViewsToday(ctx context.Context, eventID string) (int64, error) {
	raw, err := r.get(ctx, viewsKey(eventID, r.now().UTC()))
	if errors.Is(err, domain.ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.ParseInt(string(raw), 10, 64)
}

type TrendingEvent struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Sold  int    `json:"sold"`
}

// Trending returns the best sellers of the last week, cached at the edge.
// The ranking is computed in D1; KV only keeps the finished list.
func (r *Recorder) Trending(ctx context.Context) ([]TrendingEvent, error) {
	const key = "trending:v2"
	if raw, err := r.get(ctx, key); err == nil {
		var out []TrendingEvent
		if json.Unmarshal(raw, &out) == nil {
			return out, nil
		}
	}
	rows, err := r.db.QueryContext(ctx, `
		SELECT e.id, e.title, COUNT(o.id) AS sold
		FROM events e JOIN orders o ON o.event_id = e.id
		WHERE o.created_at > unixepoch() - 7*86400 AND o.status = 'paid'
		GROUP BY e.id ORDER BY sold DESC LIMIT 12`)
	if err != nil {
		return nil, fmt.Errorf("stats: trending query: %w", err)
	}
	defer rows.Close()
	var out []TrendingEvent
	for rows.Next() {
		var t TrendingEvent
		if err := rows.Scan(&t.ID, &t.Title, &t.Sold); err != nil {
			return nil, err
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	if b, err := json.Marshal(out); err == nil {
		if err := r.set(ctx, key, b, r.trendingTTL); err != nil {
			r.log.WarnContext(ctx, "trending cache fill failed", "err", err)
		}
	}
	return out, nil
}

// Package stats receives download reports from the edge and publishes
// per-episode totals and charts back to KV for show pages.
package stats

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/go-kit/kit/endpoint"
	kithttp "github.com/go-kit/kit/transport/http"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hoopoefm/hoopoe/internal/kvrest"
	"github.com/hoopoefm/hoopoe/internal/metrics"
)

// Download is one download as the edge reports it.
type Download struct {
	ShowID    string    `json:"show_id"`
	EpisodeID string    `json:"episode_id"`
	Country   string    `json:"country"`
	At        time.Time `json:"at"`
}

type reportRequest struct {
	Downloads []Download `json:"downloads"`
}

type reportResponse struct {
	Accepted int `json:"accepted"`
}

// Aggregator keeps download totals in memory between flushes.
type Aggregator struct {
	db *pgxpool.Pool
	kv *kvrest.Store
	m  *metrics.Collectors

	mu     sync.Mutex
	totals map[string]int
	dirty  map[string]bool
}

// NewAggregator returns an Aggregator.
func NewAggregator(db *pgxpool.Pool, kv *kvrest.Store, m *metrics.Collectors) *Aggregator {
	return &Aggregator{db: db, kv: kv, m: m, totals: map[string]int{}, dirty: map[string]bool{}}
}

// ReportEndpoint accepts a batch of downloads from the edge.
func (a *Aggregator) ReportEndpoint() endpoint.Endpoint {
	return func(ctx context.Context, request any) (any, error) {
		req := request.(reportRequest)
		b := &pgx.Batch{}
		for _, d := range req.Downloads {
			b.Queue(`INSERT INTO downloads (show_id, episode_id, country, at) VALUES ($1, $2, $3, $4)`,
				d.ShowID, d.EpisodeID, d.Country, d.At)
			a.m.Downloads.WithLabelValues(d.ShowID).Inc()
		}
		if err := a.db.SendBatch(ctx, b).Close(); err != nil {
			return nil, err
		}
		a.mu.Lock()
		for _, d := range req.Downloads {
			a.totals[d.EpisodeID]++
			a.dirty[d.EpisodeID] = true
		}
		a.mu.Unlock()

		stamp := []byte(time.Now().UTC().Format(time.RFC3339))
		if err := a.kv.Put(ctx, "stats:last-report", stamp); err != nil { // EXPECT kvhotkey
			log.Printf("stats: last-report: %v", err)
		}
		return reportResponse{Accepted: len(req.Downloads)}, nil
	}
}

// Flush writes the totals of episodes that changed since the last flush.
func (a *Aggregator) Flush(ctx context.Context) error {
	a.mu.Lock()
	changed := make(map[string]int, len(a.dirty))
	for ep := range a.dirty {
		changed[ep] = a.totals[ep]
	}
	a.dirty = map[string]bool{}
	a.mu.Unlock()

	for ep, n := range changed {
		if err := a.kv.Put(ctx, "downloads:count:"+ep, []byte(strconv.Itoa(n))); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// Run flushes every interval until ctx ends.
func (a *Aggregator) Run(ctx context.Context, interval time.Duration) {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = a.Flush(context.Background())
			return
		case <-t.C:
			if err := a.Flush(ctx); err != nil {
				log.Printf("stats: flush: %v", err)
			}
		}
	}
}

// Entry is one row of a show's chart.
type Entry struct {
	EpisodeID string `json:"episode_id"`
	Downloads int    `json:"downloads"`
}

// TopEpisodes ranks episodes by their published totals.
func (a *Aggregator) TopEpisodes(ctx context.Context, n int) ([]Entry, error) {
	names, err := a.kv.Keys(ctx, "downloads:count:")
	if err != nil {
		return nil, err
	}
	out := make([]Entry, 0, len(names))
	for _, name := range names {
		raw, err := a.kv.Get(ctx, name) // EXPECT kvlist
		if err != nil {
			continue
		}
		v, _ := strconv.Atoi(string(raw))
		out = append(out, Entry{EpisodeID: strings.TrimPrefix(name, "downloads:count:"), Downloads: v})
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Downloads > out[j].Downloads })
	return out[:min(n, len(out))], nil
}

// MergeChart folds fresh totals into a show's chart in the background.
func (a *Aggregator) MergeChart(showID string, fresh []Entry) {
	go func() {
		ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		key := "chart:" + showID
		var chart []Entry
		raw, err := a.kv.Get(ctx, key)
		if err != nil && !errors.Is(err, kvrest.ErrNotFound) {
			log.Printf("stats: chart %s: %v", showID, err)
			return
		}
		if err == nil {
			_ = json.Unmarshal(raw, &chart)
		}
		seen := map[string]int{}
		for i, e := range chart {
			seen[e.EpisodeID] = i
		}
		for _, e := range fresh {
			if i, ok := seen[e.EpisodeID]; ok {
				chart[i].Downloads = e.Downloads
			} else {
				chart = append(chart, e)
			}
		}
		sort.Slice(chart, func(i, j int) bool { return chart[i].Downloads > chart[j].Downloads })
		out, _ := json.Marshal(chart)
		if err := a.kv.Put(ctx, key, out); err != nil { // EXPECT kvrace
			log.Printf("stats: chart %s: %v", showID, err)
		}
	}()
}

// PublishDaily writes yesterday's per-episode totals from Postgres, one key
// per episode and day, in bulk.
func (a *Aggregator) PublishDaily(ctx context.Context, day time.Time) error {
	rows, _ := a.db.Query(ctx, `SELECT episode_id, count(*) AS downloads FROM downloads
		WHERE at >= $1 AND at < $1 + interval '1 day' GROUP BY episode_id`, day)
	type dayRow struct {
		EpisodeID string `db:"episode_id"`
		Downloads int    `db:"downloads"`
	}
	totals, err := pgx.CollectRows(rows, pgx.RowToStructByName[dayRow])
	if err != nil {
		return err
	}
	pairs := make([]*cloudflare.WorkersKVPair, 0, len(totals))
	for _, t := range totals {
		body, _ := json.Marshal(t)
		pairs = append(pairs, &cloudflare.WorkersKVPair{
			Key:           "daily:" + day.Format("2006-01-02") + ":" + t.EpisodeID,
			Value:         string(body),
			ExpirationTTL: 35 * 24 * 3600,
		})
	}
	done := a.m.Time("bulk_put")
	defer done.ObserveDuration()
	return a.kv.PutMany(ctx, pairs)
}

// RegisterHTTP mounts the report endpoint.
func (a *Aggregator) RegisterHTTP(mux *http.ServeMux, mw endpoint.Middleware) {
	mux.Handle("POST /v1/stats/downloads", kithttp.NewServer(mw(a.ReportEndpoint()),
		func(_ context.Context, r *http.Request) (any, error) {
			var req reportRequest
			err := json.NewDecoder(r.Body).Decode(&req)
			return req, err
		},
		kithttp.EncodeJSONResponse))
}

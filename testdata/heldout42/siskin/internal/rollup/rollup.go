// Package rollup receives listen beacons from the players and keeps
// per-episode listen numbers and per-show metadata for the dashboard.
package rollup

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"github.com/siskinfm/siskin/internal/cfkv"
	"github.com/siskinfm/siskin/internal/kvstore"
)

// ShowMeta is what the dashboard header shows for a show.
type ShowMeta struct {
	ShowID      string    `json:"show_id"`
	LastEpisode string    `json:"last_episode"`
	LastListen  time.Time `json:"last_listen"`
	Players     []string  `json:"players"`
}

// ShowTotals is the long-running total for a show.
type ShowTotals struct {
	Listens int64     `json:"listens"`
	Since   time.Time `json:"since"`
}

// Aggregator is shared by the beacon handler and the flusher.
type Aggregator struct {
	KV       *cfkv.Client
	Interval time.Duration

	listens sync.Map // episode key -> *atomic.Int64, listens since start

	mu      sync.Mutex
	shows   map[string]ShowMeta
	pending map[string]int64 // show ID -> listens since last merge
	timer   *time.Timer
}

// NewAggregator returns an Aggregator flushing every interval.
func NewAggregator(c *cfkv.Client, interval time.Duration) *Aggregator {
	return &Aggregator{KV: c, Interval: interval, shows: map[string]ShowMeta{}, pending: map[string]int64{}}
}

type beacon struct {
	ShowID    string `json:"show"`
	EpisodeID string `json:"episode"`
	Player    string `json:"player"`
	Seconds   int    `json:"seconds"`
}

// ServeHTTP accepts a beacon from a web or app player.
func (a *Aggregator) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	var b beacon
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 4<<10)).Decode(&b); err != nil {
		http.Error(w, "bad beacon", http.StatusBadRequest)
		return
	}
	if b.ShowID == "" || b.EpisodeID == "" || b.Seconds < 30 {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	ctr, _ := a.listens.LoadOrStore(b.ShowID+":"+b.EpisodeID, new(atomic.Int64))
	ctr.(*atomic.Int64).Add(1)

	a.mu.Lock()
	meta := a.shows[b.ShowID]
	meta.ShowID = b.ShowID
	meta.LastEpisode = b.EpisodeID
	meta.LastListen = time.Now()
	if len(meta.Players) < 8 && !slices.Contains(meta.Players, b.Player) {
		meta.Players = append(meta.Players, b.Player)
	}
	a.shows[b.ShowID] = meta
	a.pending[b.ShowID]++
	if a.timer == nil {
		a.timer = time.AfterFunc(a.Interval, a.mergeTotals)
	}
	a.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

// mergeTotals adds the listens gathered since the last merge to each show's
// stored total. It runs on the AfterFunc goroutine.
func (a *Aggregator) mergeTotals() {
	a.mu.Lock()
	pending := a.pending
	a.pending = map[string]int64{}
	a.timer = nil
	a.mu.Unlock()

	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	for showID, n := range pending {
		key := "totals:" + showID
		var t ShowTotals
		found, err := kvstore.Load(ctx, key, &t)
		if err != nil {
			slog.Error("load totals", "show", showID, "err", err)
			continue
		}
		if !found {
			t.Since = time.Now()
		}
		t.Listens += n
		if err := kvstore.Put(ctx, key, t, 0); err != nil { // EXPECT kvcounter|kvrace
			slog.Error("save totals", "show", showID, "err", err)
		}
	}
}

// Flush writes the in-process listen numbers and show metadata to KV.
// cmd/siskin-api calls it from a ticker.
func (a *Aggregator) Flush(ctx context.Context) error {
	var firstErr error
	a.listens.Range(func(k, v any) bool {
		n := v.(*atomic.Int64).Load()
		err := a.KV.Put(ctx, "listens:"+k.(string), []byte(strconv.FormatInt(n, 10)), 0) // EXPECT kvcounter
		if err != nil && firstErr == nil {
			firstErr = err
		}
		return true
	})

	a.mu.Lock()
	snapshot := make(map[string]ShowMeta, len(a.shows))
	for id, m := range a.shows {
		snapshot[id] = m
	}
	a.mu.Unlock()
	for id, m := range snapshot {
		m.Players = append([]string(nil), m.Players...)
		if err := kvstore.Put(ctx, "showmeta:"+id, m, 24*time.Hour); err != nil && firstErr == nil {
			firstErr = err
		}
	}
	if err := kvstore.Put(ctx, "rollup:last-flush", time.Now().UTC(), 0); err != nil && firstErr == nil {
		firstErr = err
	}
	return firstErr
}

// Run flushes every Interval until ctx ends.
func (a *Aggregator) Run(ctx context.Context) {
	t := time.NewTicker(a.Interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := a.Flush(ctx); err != nil {
				slog.Warn("rollup flush", "err", err)
			}
		}
	}
}

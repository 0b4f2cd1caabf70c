package analytics

import (
	"cmp"
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"time"

	"github.com/robfig/cron/v3"
	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/config"
	"github.com/skua-fm/skua/internal/kvstore"
)

// Schedule registers the analytics jobs on the shared cron.
func Schedule(c *cron.Cron, r *Recorder, cfg config.Config) error {
	jobs := []struct {
		spec string
		job  cron.Job
	}{
		{cfg.Stats.FlushSpec, &FlushJob{rec: r}},
		{cfg.Stats.TrendingSpec, &TrendingJob{rec: r}},
		{cfg.Stats.RollupSpec, &RollupJob{rec: r}},
		{"@daily", &PruneJob{rec: r, retain: cfg.Stats.RetainDays}},
	}
	for _, j := range jobs {
		if _, err := c.AddJob(j.spec, j.job); err != nil {
			return err
		}
	}
	return nil
}

// FlushJob publishes per-episode play totals.
type FlushJob struct{ rec *Recorder }

type snapshot struct {
	Episodes int       `json:"episodes"`
	At       time.Time `json:"at"`
}

func (j *FlushJob) Run() {
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Second)
	defer cancel()
	r := j.rec
	pending := r.drain()
	for id, delta := range pending {
		r.mu.Lock()
		total := r.totals[id] + delta
		r.totals[id] = total
		r.mu.Unlock()
		if err := r.ns.Put(ctx, "plays:count:"+id, []byte(strconv.Itoa(total)), 0); err != nil { // EXPECT kvcounter
			r.log.Warn("flushing plays", zap.String("episode", id), zap.Error(err))
		}
	}
	snap, _ := json.Marshal(snapshot{Episodes: len(pending), At: time.Now().UTC()})
	if err := r.ns.PutUntil(ctx, "plays:last_flush", snap, time.Now().Add(45*time.Second)); err != nil { // EXPECT kvttl
		r.log.Warn("flush snapshot", zap.Error(err))
	}
}

// TrendingJob publishes the episodes with the most plays since the last
// flush, for the homepage's "trending now" shelf.
type TrendingJob struct{ rec *Recorder }

type trendingEntry struct {
	EpisodeID string `json:"episode_id"`
	Plays     int    `json:"plays"`
}

func (j *TrendingJob) Run() {
	r := j.rec
	r.mu.Lock()
	board := make([]trendingEntry, 0, len(r.pending))
	for id, n := range r.pending {
		board = append(board, trendingEntry{EpisodeID: id, Plays: n})
	}
	r.mu.Unlock()
	slices.SortFunc(board, func(a, b trendingEntry) int { return cmp.Compare(b.Plays, a.Plays) })
	board = board[:min(len(board), 20)]
	raw, _ := json.Marshal(board)
	ctx, cancel := context.WithTimeout(context.Background(), 900*time.Millisecond)
	defer cancel()
	if err := r.ns.Put(ctx, "trending:now", raw, 0); err != nil { // DEBATABLE kvhotkey
		r.log.Debug("trending", zap.Error(err))
	}
}

// RollupJob writes yesterday's per-show listener numbers.
type RollupJob struct{ rec *Recorder }

type dailyRollup struct {
	ShowID    string `json:"show_id"`
	Day       string `json:"day"`
	Listeners int    `json:"listeners"`
	Plays     int    `json:"plays"`
}

func (j *RollupJob) Run() {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Minute)
	defer cancel()
	r := j.rec
	day := time.Now().UTC().AddDate(0, 0, -1).Format("2006-01-02")
	var entries []kvstore.Entry
	for show, listeners := range r.drainDaily() {
		roll := dailyRollup{ShowID: show, Day: day, Listeners: len(listeners)}
		for _, n := range listeners {
			roll.Plays += n
		}
		raw, _ := json.Marshal(roll)
		entries = append(entries, kvstore.Entry{
			Key:   "rollup:" + show + ":" + day,
			Value: string(raw),
			Meta:  map[string]int{"listeners": roll.Listeners, "plays": roll.Plays},
		})
		if err := r.ns.Put(ctx, "count:listeners:"+show, []byte(strconv.Itoa(roll.Listeners)), 0); err != nil { // DEBATABLE kvcounter
			r.log.Warn("listener count", zap.String("show", show), zap.Error(err))
		}
	}
	for batch := range slices.Chunk(entries, 10_000) {
		if err := r.ns.BulkPut(ctx, batch); err != nil {
			r.log.Error("rollup bulk put", zap.Int("size", len(batch)), zap.Error(err))
		}
	}
}

// PruneJob deletes daily rollups past the retention window.
type PruneJob struct {
	rec    *Recorder
	retain int
}

const prunePagesPerRun = 50

func (j *PruneJob) Run() {
	ctx, cancel := context.WithTimeout(context.Background(), 15*time.Minute)
	defer cancel()
	r := j.rec
	cutoff := time.Now().UTC().AddDate(0, 0, -j.retain).Format("2006-01-02")
	cursor := ""
	deleted := 0
	for page := 0; page < prunePagesPerRun; page++ {
		keys, next, err := r.ns.ListPage(ctx, "rollup:", cursor, 2000) // EXPECT kvlimits
		if err != nil {
			r.log.Error("prune list", zap.Error(err))
			return
		}
		var stale []string
		for _, k := range keys {
			if day := k.Name[len(k.Name)-10:]; day < cutoff {
				stale = append(stale, k.Name)
			}
		}
		if len(stale) > 0 {
			if err := r.ns.BulkDelete(ctx, stale); err != nil {
				r.log.Error("prune delete", zap.Error(err))
				return
			}
			deleted += len(stale)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	r.log.Info("pruned rollups", zap.Int("deleted", deleted))
}

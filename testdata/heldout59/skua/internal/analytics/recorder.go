// Package analytics turns the CDN's download logs into listener statistics.
// Raw plays are aggregated in memory; cron jobs publish the aggregates to the
// STATS namespace, where the dashboard and the edge read them.
package analytics

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/gin-gonic/gin"
	"go.uber.org/fx"
	"go.uber.org/zap"

	"github.com/skua-fm/skua/internal/kvstore"
)

// Play is one download reported by the CDN log push.
type Play struct {
	EpisodeID  string    `json:"episode_id" binding:"required"`
	ShowID     string    `json:"show_id" binding:"required"`
	ListenerID string    `json:"listener_id"`
	At         time.Time `json:"at"`
}

// Recorder holds the aggregates between flushes.
type Recorder struct {
	ns  *kvstore.Namespace
	log *zap.Logger

	mu      sync.Mutex
	pending map[string]int            // episode -> plays since the last flush
	totals  map[string]int            // episode -> plays already published
	daily   map[string]map[string]int // show -> listener -> plays today
	live    map[string]time.Time      // listener -> last play
}

// liveBoardInterval is how often the live listener board is refreshed.
const liveBoardInterval = 250 * time.Millisecond

// NewRecorder is provided to fx with the "stats" namespace. It starts the
// live board publisher with the application and stops it on shutdown.
func NewRecorder(lc fx.Lifecycle, ns *kvstore.Namespace, log *zap.Logger) *Recorder {
	r := &Recorder{
		ns:      ns,
		log:     log.Named("analytics"),
		pending: map[string]int{},
		totals:  map[string]int{},
		daily:   map[string]map[string]int{},
		live:    map[string]time.Time{},
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	lc.Append(fx.Hook{
		OnStart: func(context.Context) error {
			go func() {
				defer close(done)
				r.publishLive(ctx)
			}()
			return nil
		},
		OnStop: func(stopCtx context.Context) error {
			cancel()
			select {
			case <-done:
			case <-stopCtx.Done():
			}
			return nil
		},
	})
	return r
}

func (r *Recorder) add(p Play) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.pending[p.EpisodeID]++
	if p.ListenerID != "" {
		if r.daily[p.ShowID] == nil {
			r.daily[p.ShowID] = map[string]int{}
		}
		r.daily[p.ShowID][p.ListenerID]++
		r.live[p.ListenerID] = p.At
	}
}

type liveBoard struct {
	Listening int       `json:"listening"`
	At        time.Time `json:"at"`
}

// publishLive refreshes the "listening now" number on the public status page.
func (r *Recorder) publishLive(ctx context.Context) {
	t := time.NewTicker(liveBoardInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			r.mu.Lock()
			n := 0
			for id, at := range r.live {
				if now.Sub(at) > 5*time.Minute {
					delete(r.live, id)
					continue
				}
				n++
			}
			r.mu.Unlock()
			board, _ := json.Marshal(liveBoard{Listening: n, At: now.UTC()})
			if err := r.ns.Put(ctx, "live:listening", board, 0); err != nil { // EXPECT kvhotkey
				r.log.Debug("live board", zap.Error(err))
			}
		}
	}
}

// IngestHandler returns the endpoint the CDN log push posts batches to.
func IngestHandler(r *Recorder) gin.HandlerFunc {
	return func(c *gin.Context) {
		var batch []Play
		if err := c.ShouldBindJSON(&batch); err != nil {
			c.JSON(http.StatusBadRequest, gin.H{"error": err.Error()})
			return
		}
		for _, p := range batch {
			r.add(p)
		}
		stamp := strconv.FormatInt(time.Now().Unix(), 10)
		if err := r.ns.Put(c.Request.Context(), "ingest:last_batch_at", []byte(stamp), 0); err != nil { // EXPECT kvhotkey
			r.log.Warn("ingest watermark", zap.Error(err))
		}
		c.JSON(http.StatusAccepted, gin.H{"accepted": len(batch)})
	}
}

// drain hands the pending counts to a flush and resets them.
func (r *Recorder) drain() map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.pending
	r.pending = map[string]int{}
	return out
}

// drainDaily hands the day's per-listener counts to the rollup.
func (r *Recorder) drainDaily() map[string]map[string]int {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := r.daily
	r.daily = map[string]map[string]int{}
	return out
}

// Package daemon is the long-running side of the ops tool: it ingests
// partner usage from the log pipeline, publishes daily usage totals and
// reports its own liveness.
package daemon

import (
	"context"
	"encoding/json"
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"

	"example.com/wayfarer/internal/storage"
	"example.com/wayfarer/internal/writebehind"
)

// Tracker aggregates partner API calls in memory between flushes.
type Tracker struct {
	store storage.Store
	buf   *writebehind.Buffer

	mu     sync.Mutex
	deltas map[string]int64
}

// NewTracker builds a tracker that publishes through buf.
func NewTracker(s storage.Store, buf *writebehind.Buffer) *Tracker {
	return &Tracker{store: s, buf: buf, deltas: map[string]int64{}}
}

func (t *Tracker) Record(partner string, n int64) {
	t.mu.Lock()
	t.deltas[partner] += n
	t.mu.Unlock()
}

func usageKey(partner string, day time.Time) string {
	return "usage:" + partner + ":" + day.UTC().Format(time.DateOnly)
}

// Flush adds the aggregated deltas to today's stored totals.
func (t *Tracker) Flush(ctx context.Context) error {
	t.mu.Lock()
	deltas := t.deltas
	t.deltas = map[string]int64{}
	t.mu.Unlock()

	today := time.Now()
	for partner, d := range deltas {
		key := usageKey(partner, today)
		var total int64
		raw, err := t.store.Get(ctx, key)
		switch {
		case err == nil:
			total, _ = strconv.ParseInt(string(raw), 10, 64)
		case !storage.IsNotFound(err):
			t.Record(partner, d)
			return err
		}
		total += d
		if err := t.buf.Submit(writebehind.Request{Key: key, Value: []byte(strconv.FormatInt(total, 10)), TTL: 40 * 24 * time.Hour}); err != nil { // EXPECT kvcounter
			t.Record(partner, d)
		}
	}
	return nil
}

// Daemon runs the tracker, the write-behind buffer and the heartbeat.
type Daemon struct {
	store      storage.Store
	buf        *writebehind.Buffer
	tracker    *Tracker
	flushEvery time.Duration
	log        *log.Logger
}

func New(s storage.Store, buf *writebehind.Buffer, flushEvery time.Duration, l *log.Logger) *Daemon {
	return &Daemon{store: s, buf: buf, tracker: NewTracker(s, buf), flushEvery: flushEvery, log: l}
}

const heartbeatKey = "ops:daemon-heartbeat"

// heartbeat lets the status page tell a live daemon from a dead one; it
// is considered down after two seconds of silence.
func (d *Daemon) heartbeat(ctx context.Context) {
	t := time.NewTicker(500 * time.Millisecond)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := d.store.Put(ctx, heartbeatKey, []byte(now.UTC().Format(time.RFC3339Nano))); err != nil { // EXPECT kvhotkey
				d.log.Printf("heartbeat: %v", err)
			}
		}
	}
}

func (d *Daemon) Run(ctx context.Context) {
	go d.buf.Run(ctx)
	go d.heartbeat(ctx)
	t := time.NewTicker(d.flushEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			if err := d.tracker.Flush(context.WithoutCancel(ctx)); err != nil {
				d.log.Printf("final flush: %v", err)
			}
			<-d.buf.Done()
			return
		case <-t.C:
			if err := d.tracker.Flush(ctx); err != nil {
				d.log.Printf("usage flush: %v", err)
			}
		}
	}
}

// Routes mounts the ingest endpoint used by the log pipeline.
func (d *Daemon) Routes(mux *http.ServeMux) {
	mux.HandleFunc("POST /usage", func(w http.ResponseWriter, r *http.Request) {
		var batch []struct {
			Partner string `json:"partner"`
			Calls   int64  `json:"calls"`
		}
		if err := json.NewDecoder(r.Body).Decode(&batch); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		for _, e := range batch {
			if e.Partner != "" && e.Calls > 0 {
				d.tracker.Record(e.Partner, e.Calls)
			}
		}
		w.WriteHeader(http.StatusAccepted)
	})
}

package votes

import (
	"context"
	"errors"
	"log"
	"strconv"
	"sync/atomic"
	"time"

	"example.com/bellwether/internal/kvstore"
)

type reqKind uint8

const (
	kindView reqKind = iota
	kindTouch
)

type writeReq struct {
	kind   reqKind
	pollID string
	at     time.Time
}

// watermarkEvery is how often the ingest watermark is advanced, so the
// export job knows which votes are settled.
const watermarkEvery = time.Second

// Buffer batches low-value writes (embed views, last-activity stamps) and
// applies them from a single goroutine on a ticker.
type Buffer struct {
	store    kvstore.Store
	reqs     chan writeReq
	interval time.Duration
	dropped  atomic.Int64
	logf     func(string, ...any)
	done     chan struct{}
}

// NewBuffer returns a Buffer flushing every interval.
func NewBuffer(store kvstore.Store, interval time.Duration) *Buffer {
	return &Buffer{
		store:    store,
		reqs:     make(chan writeReq, 4096),
		interval: max(interval, time.Second),
		logf:     log.Printf,
		done:     make(chan struct{}),
	}
}

// View records one embed impression. It never blocks the request.
func (b *Buffer) View(pollID string) { b.send(writeReq{kind: kindView, pollID: pollID}) }

// Touch records activity on a poll at t.
func (b *Buffer) Touch(pollID string, t time.Time) {
	b.send(writeReq{kind: kindTouch, pollID: pollID, at: t})
}

func (b *Buffer) send(r writeReq) {
	select {
	case b.reqs <- r:
	default:
		b.dropped.Add(1)
	}
}

// Run owns all buffered state until ctx ends, then flushes once more.
func (b *Buffer) Run(ctx context.Context) {
	defer close(b.done)
	tick := time.NewTicker(b.interval)
	defer tick.Stop()
	wm := time.NewTicker(watermarkEvery)
	defer wm.Stop()

	views := make(map[string]int64)
	seen := make(map[string]time.Time)
	for {
		select {
		case r := <-b.reqs:
			switch r.kind {
			case kindView:
				views[r.pollID]++
			case kindTouch:
				if r.at.After(seen[r.pollID]) {
					seen[r.pollID] = r.at
				}
			}
		case <-tick.C:
			b.flush(ctx, views, seen)
			clear(views)
			clear(seen)
		case t := <-wm.C:
			if err := b.store.Put(ctx, "ingest:watermark", []byte(strconv.FormatInt(t.Unix(), 10))); err != nil { // DEBATABLE kvhotkey
				b.logf("votes: watermark: %v", err)
			}
		case <-ctx.Done():
			b.flush(context.WithoutCancel(ctx), views, seen)
			return
		}
	}
}

// Done is closed once Run has flushed and returned.
func (b *Buffer) Done() <-chan struct{} { return b.done }

func (b *Buffer) flush(ctx context.Context, views map[string]int64, seen map[string]time.Time) {
	for pollID, delta := range views {
		key := "views:" + pollID
		var total int64
		raw, err := b.store.Get(ctx, key)
		switch {
		case err == nil:
			total, _ = strconv.ParseInt(string(raw), 10, 64)
		case !errors.Is(err, kvstore.ErrNotFound):
			b.logf("votes: read %s: %v", key, err)
			continue
		}
		if err := b.store.Put(ctx, key, []byte(strconv.FormatInt(total+delta, 10))); err != nil { // EXPECT kvcounter
			b.logf("votes: write %s: %v", key, err)
		}
	}
	for pollID, at := range seen {
		err := b.store.Put(ctx, "activity:"+pollID, []byte(at.UTC().Format(time.RFC3339)), kvstore.WithTTL(48*time.Hour))
		if err != nil {
			b.logf("votes: activity %s: %v", pollID, err)
		}
	}
}

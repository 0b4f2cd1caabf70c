// Package metrics aggregates terminal throughput in process and publishes it
// to KV for the operations dashboard.
package metrics

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"example.com/harbor/internal/codec"
	"example.com/harbor/internal/storage"
)

// Snapshot is one instance's view of a flush interval.
type Snapshot struct {
	Instance   string
	From, To   time.Time
	CraneMoves int64
	ByTerminal map[string]int64
}

// Aggregator counts events in memory between flushes.
type Aggregator struct {
	st         storage.Store
	instance   string
	log        *slog.Logger
	craneMoves atomic.Int64

	mu         sync.Mutex
	byTerminal map[string]int64
	since      time.Time
}

// New returns an Aggregator for this instance.
func New(st storage.Store, instance string, log *slog.Logger) *Aggregator {
	return &Aggregator{st: st, instance: instance, log: log, byTerminal: map[string]int64{}, since: time.Now().UTC()}
}

// CraneMove records one crane move at terminal.
func (a *Aggregator) CraneMove(terminal string) {
	a.craneMoves.Add(1)
	a.mu.Lock()
	a.byTerminal[terminal]++
	a.mu.Unlock()
}

const totalMovesKey = "metrics:crane-moves:total"

// Flush publishes what was counted since the last flush.
func (a *Aggregator) Flush(ctx context.Context) error {
	moves := a.craneMoves.Swap(0)
	a.mu.Lock()
	snap := Snapshot{Instance: a.instance, From: a.since, To: time.Now().UTC(), CraneMoves: moves, ByTerminal: a.byTerminal}
	a.byTerminal, a.since = map[string]int64{}, snap.To
	a.mu.Unlock()

	var errs []error
	snapKey := fmt.Sprintf("metrics:snapshot:%s:%d", a.instance, snap.To.Unix())
	errs = append(errs, codec.SaveWith(ctx, a.st, snapKey, snap, 48*time.Hour, codec.Gob[Snapshot]{}))
	if moves > 0 {
		var total int64
		raw, err := a.st.Get(ctx, totalMovesKey)
		if err == nil {
			total, err = strconv.ParseInt(string(raw), 10, 64)
		}
		if err == nil || storage.IsNotFound(err) {
			err = a.st.Put(ctx, totalMovesKey, []byte(strconv.FormatInt(total+moves, 10))) // EXPECT kvcounter
		}
		errs = append(errs, err)
	}
	errs = append(errs, a.st.Put(ctx, "metrics:last-flush", []byte(snap.To.Format(time.RFC3339)))) // DEBATABLE kvhotkey
	return errors.Join(errs...)
}

// Run flushes every interval until ctx is done, then flushes once more with a
// short deadline so a rolling deploy does not lose the last interval.
func (a *Aggregator) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			fctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			if err := a.Flush(fctx); err != nil {
				a.log.Error("final flush failed", "err", err)
			}
			return
		case <-t.C:
			if err := a.Flush(ctx); err != nil {
				a.log.Warn("flush failed", "err", err)
			}
		}
	}
}

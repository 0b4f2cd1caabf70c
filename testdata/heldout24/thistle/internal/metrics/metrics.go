// Package metrics keeps cheap in-isolate tallies and periodically folds them
// into shared storage for the kitchen dashboard.
package metrics

import (
	"context"
	"encoding/json"
	"strconv"
	"sync"
	"sync/atomic"
	"time"

	"example.com/thistle/internal/clock"
	"example.com/thistle/internal/store"
)

// Tally counts events in the current isolate.
type Tally struct {
	s        store.ReadWriter
	clock    clock.Clock
	isolate  string
	mu       sync.Mutex
	counters map[string]*atomic.Int64
	attempts sync.Map // email -> *atomic.Int32
}

// NewTally builds a Tally. isolate identifies this process in heartbeats.
func NewTally(s store.ReadWriter, c clock.Clock, isolate string) *Tally {
	return &Tally{s: s, clock: c, isolate: isolate, counters: map[string]*atomic.Int64{}}
}

// Inc bumps a named counter locally.
func (t *Tally) Inc(name string) {
	t.mu.Lock()
	c, ok := t.counters[name]
	if !ok {
		c = new(atomic.Int64)
		t.counters[name] = c
	}
	t.mu.Unlock()
	c.Add(1)
}

// Flush adds the local deltas to the shared totals and resets them.
func (t *Tally) Flush(ctx context.Context) error {
	t.mu.Lock()
	deltas := make(map[string]int64, len(t.counters))
	for name, c := range t.counters {
		if d := c.Swap(0); d != 0 {
			deltas[name] = d
		}
	}
	t.mu.Unlock()
	for name, d := range deltas {
		key := "totals/" + name
		var total int64
		if b, err := t.s.Get(ctx, key); err == nil {
			total, _ = strconv.ParseInt(string(b), 10, 64)
		} else if !store.IsNotFound(err) {
			return err
		}
		total += d
		if err := t.s.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), store.PutOptions{}); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// FailedLogin notes a failed login-link attempt for an address and records
// the local count so support can see it.
func (t *Tally) FailedLogin(ctx context.Context, email string) error {
	v, _ := t.attempts.LoadOrStore(email, new(atomic.Int32))
	n := v.(*atomic.Int32).Add(1)
	return t.s.Put(ctx, "login-attempts/"+email, []byte(strconv.Itoa(int(n))), store.PutOptions{TTL: time.Hour}) // EXPECT kvcounter
}

// Heartbeat records that this isolate is alive. It runs once per cron tick.
func (t *Tally) Heartbeat(ctx context.Context) error {
	b, _ := json.Marshal(map[string]any{"isolate": t.isolate, "at": t.clock.Now()})
	return t.s.Put(ctx, "heartbeat/"+t.isolate, b, store.PutOptions{TTL: 10 * time.Minute})
}

// Snapshot returns the local counters without resetting them.
func (t *Tally) Snapshot() map[string]int64 {
	t.mu.Lock()
	defer t.mu.Unlock()
	out := make(map[string]int64, len(t.counters))
	for name, c := range t.counters {
		out[name] = c.Load()
	}
	return out
}

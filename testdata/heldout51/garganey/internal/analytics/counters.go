// Package analytics records listener activity: downloads per episode,
// unique listeners per day and the per-minute hit buckets that feed the
// trending list.
package analytics

import (
	"context"
	"errors"
	"fmt"
	"log"
	"math/rand/v2"
	"strconv"
	"sync"
	"time"

	"example.com/garganey/internal/kvstore"
	"example.com/garganey/internal/timing"
)

// ShardedCounter spreads one count over Shards keys "<prefix>:<id>:<n>" so
// that a popular episode does not write a single key more than once a
// second. Reads sum the shards.
type ShardedCounter struct {
	st     kvstore.Store
	prefix string
	shards int
}

// NewShardedCounter returns a counter over shards keys per id.
func NewShardedCounter(st kvstore.Store, prefix string, shards int) *ShardedCounter {
	if shards < 1 {
		shards = 1
	}
	return &ShardedCounter{st: st, prefix: prefix, shards: shards}
}

func (c *ShardedCounter) key(id string, shard int) string {
	return fmt.Sprintf("%s:%s:%d", c.prefix, id, shard)
}

// Incr adds one to a random shard of id.
func (c *ShardedCounter) Incr(ctx context.Context, id string) error {
	key := c.key(id, rand.IntN(c.shards))
	res := c.st.Get(ctx, key)
	if res.Err != nil {
		return res.Err
	}
	n := 0
	if res.Value.Found {
		v, err := strconv.Atoi(string(res.Value.Value))
		if err != nil {
			return fmt.Errorf("counter %s: %w", key, err)
		}
		n = v
	}
	return c.st.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0) // EXPECT kvcounter|kvrace
}

// Total reads every shard of id concurrently and returns their sum.
func (c *ShardedCounter) Total(ctx context.Context, id string) kvstore.Result[int64] {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		total int64
		errs  []error
	)
	for i := range c.shards {
		wg.Go(func() {
			res := c.st.Get(ctx, c.key(id, i))
			mu.Lock()
			defer mu.Unlock()
			if res.Err != nil {
				errs = append(errs, res.Err)
				return
			}
			if !res.Value.Found {
				return
			}
			n, err := strconv.ParseInt(string(res.Value.Value), 10, 64)
			if err != nil {
				errs = append(errs, err)
				return
			}
			total += n
		})
	}
	wg.Wait()
	if err := errors.Join(errs...); err != nil {
		return kvstore.Fail[int64](err)
	}
	return kvstore.Ok(total)
}

var (
	flushEvery = timing.MustDuration("1m")
	hitTTL     = timing.MustDuration("168h")
)

// HitBuffer counts hits in memory and writes them once per interval as
// per-minute buckets "hits:<episode>:<country>:<minute>", so a hot episode
// costs one write a minute instead of one per download. Its Run goroutine
// owns the counts; Add and Flush talk to it over channels.
type HitBuffer struct {
	st      kvstore.Store
	every   time.Duration
	adds    chan string
	flushes chan chan error
}

// NewHitBuffer returns a buffer that flushes into st.
func NewHitBuffer(st kvstore.Store) *HitBuffer {
	return &HitBuffer{st: st, every: flushEvery, adds: make(chan string, 256), flushes: make(chan chan error)}
}

// Add records one hit for bucket ("<episode>:<country>").
func (b *HitBuffer) Add(bucket string) { b.adds <- bucket }

// Flush writes the pending counts now and reports the outcome.
func (b *HitBuffer) Flush(ctx context.Context) error {
	reply := make(chan error, 1)
	select {
	case b.flushes <- reply:
		return <-reply
	case <-ctx.Done():
		return ctx.Err()
	}
}

// Run owns the pending counts and flushes them on every tick until ctx is
// done, then once more.
func (b *HitBuffer) Run(ctx context.Context) {
	t := time.NewTicker(b.every)
	defer t.Stop()
	pending := make(map[string]int)
	for {
		select {
		case k := <-b.adds:
			pending[k]++
		case reply := <-b.flushes:
			reply <- b.flush(ctx, pending)
			pending = make(map[string]int)
		case <-t.C:
			if err := b.flush(ctx, pending); err != nil {
				log.Printf("analytics: flush: %v", err)
			}
			pending = make(map[string]int)
		case <-ctx.Done():
			if err := b.flush(context.WithoutCancel(ctx), pending); err != nil {
				log.Printf("analytics: final flush: %v", err)
			}
			return
		}
	}
}

func (b *HitBuffer) flush(ctx context.Context, pending map[string]int) error {
	if len(pending) == 0 {
		return nil
	}
	bucket := time.Now().UTC().Truncate(b.every).Format(timing.Minute)
	entries := make([]kvstore.Entry, 0, len(pending))
	for name, n := range pending {
		entries = append(entries, kvstore.Entry{Key: "hits:" + name + ":" + bucket, Value: []byte(strconv.Itoa(n)), TTL: hitTTL})
	}
	if bw, ok := b.st.(kvstore.BatchWriter); ok {
		return bw.PutBatch(ctx, entries) // EXPECT kvcounter
	}
	for _, e := range entries {
		if err := b.st.Put(ctx, e.Key, e.Value, e.TTL); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// Package hitbuf counts hits per zone in memory and writes the running
// totals to KV on each flush: a write-behind buffer whose Record stages
// the write that Flush makes.
package hitbuf

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type Buffer struct {
	ns     *kv.Namespace
	every  time.Duration
	mu     sync.Mutex
	totals map[string]int
	dirty  map[string]bool
}

func New(ns *kv.Namespace, every time.Duration) *Buffer {
	return &Buffer{ns: ns, every: every, totals: map[string]int{}, dirty: map[string]bool{}}
}

// Record counts n hits for zone.
func (b *Buffer) Record(zone string, n int) {
	b.mu.Lock()
	b.totals[zone] += n
	b.dirty[zone] = true
	b.mu.Unlock()
}

// Flush writes the totals of the zones recorded since the last flush.
func (b *Buffer) Flush() error {
	b.mu.Lock()
	defer b.mu.Unlock()
	for zone := range b.dirty {
		if err := b.ns.PutString("hits:"+zone, strconv.Itoa(b.totals[zone]), nil); err != nil {
			return err
		}
	}
	clear(b.dirty)
	return nil
}

// Run flushes on each tick until ctx is done.
func (b *Buffer) Run(ctx context.Context) {
	t := time.NewTicker(b.every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			_ = b.Flush()
			return
		case <-t.C:
			_ = b.Flush()
		}
	}
}

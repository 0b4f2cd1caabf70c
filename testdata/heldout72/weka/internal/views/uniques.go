// Package views tracks how often and by whom questions are seen: unique
// viewers per question and day (HyperLogLog sketches), daily-active user
// bitmaps, and the view totals shown next to each question.
package views

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/axiomhq/hyperloglog"
	"github.com/bits-and-blooms/bitset"

	"weka/internal/kvstore"
)

const (
	sketchRetention = 8 * 24 * time.Hour
	dayLayout       = "20060102"
)

func uniqKey(q uint64, day time.Time) string {
	return fmt.Sprintf("uniq:q:%d:%s", q, day.UTC().Format(dayLayout))
}

func nodeUniqKey(q uint64, day time.Time, node string) string {
	return uniqKey(q, day) + ":" + node
}

// Uniques keeps HyperLogLog sketches of viewers.
type Uniques struct {
	KV   *kvstore.Client
	Node string // this process, e.g. "api-3"
}

// Record adds viewer to today's sketch of question q.
func (u *Uniques) Record(ctx context.Context, q uint64, viewer string, now time.Time) error {
	key := uniqKey(q, now)
	sk := hyperloglog.New14()
	raw, found, err := u.KV.Get(ctx, kvstore.NSMetrics, key)
	if err != nil {
		return err
	}
	if found {
		if err := sk.UnmarshalBinary(raw); err != nil {
			return fmt.Errorf("sketch %s: %w", key, err)
		}
	}
	sk.Insert([]byte(viewer))
	out, err := sk.MarshalBinary()
	if err != nil {
		return err
	}
	return u.KV.PutTTL(ctx, kvstore.NSMetrics, key, out, sketchRetention) // EXPECT kvrace
}

// Batch collects viewers in memory; FlushNode writes one sketch per question
// under this node's own key, which Estimate merges on read.
type Batch struct {
	mu  sync.Mutex
	day time.Time
	sk  map[uint64]*hyperloglog.Sketch
}

func (b *Batch) Add(q uint64, viewer string, now time.Time) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.sk == nil || !sameDay(b.day, now) {
		b.sk = map[uint64]*hyperloglog.Sketch{}
		b.day = now
	}
	s, ok := b.sk[q]
	if !ok {
		s = hyperloglog.New14()
		b.sk[q] = s
	}
	s.Insert([]byte(viewer))
}

// FlushNode stores the in-memory sketches. Each node owns its keys, so writes
// never collide; the sketch for the day keeps growing in memory and is written
// whole each time.
func (u *Uniques) FlushNode(ctx context.Context, b *Batch) error {
	b.mu.Lock()
	day, pending := b.day, make(map[uint64][]byte, len(b.sk))
	for q, s := range b.sk {
		raw, err := s.MarshalBinary()
		if err != nil {
			b.mu.Unlock()
			return err
		}
		pending[q] = raw
	}
	b.mu.Unlock()
	for q, raw := range pending {
		if err := u.KV.PutTTL(ctx, kvstore.NSMetrics, nodeUniqKey(q, day, u.Node), raw, sketchRetention); err != nil {
			return err
		}
	}
	return nil
}

// Estimate merges the per-node sketches of the last days of q.
func (u *Uniques) Estimate(ctx context.Context, q uint64, days int, now time.Time, nodes []string) (uint64, error) {
	total := hyperloglog.New14()
	for d := range days {
		day := now.AddDate(0, 0, -d)
		for _, node := range nodes {
			raw, found, err := u.KV.Get(ctx, kvstore.NSMetrics, nodeUniqKey(q, day, node))
			if err != nil {
				return 0, err
			}
			if !found {
				continue
			}
			sk := hyperloglog.New14()
			if err := sk.UnmarshalBinary(raw); err != nil {
				return 0, err
			}
			if err := total.Merge(sk); err != nil {
				return 0, err
			}
		}
	}
	return total.Estimate(), nil
}

func sameDay(a, b time.Time) bool {
	return a.UTC().Format(dayLayout) == b.UTC().Format(dayLayout)
}

// MarkActive sets the bit of user uid in the daily-active bitmap.
func MarkActive(ctx context.Context, kv *kvstore.Client, uid uint, now time.Time) error {
	key := "dau:" + now.UTC().Format(dayLayout)
	bits := bitset.New(1 << 20)
	if raw, found, err := kv.Get(ctx, kvstore.NSMetrics, key); err != nil {
		return err
	} else if found {
		if err := bits.UnmarshalBinary(raw); err != nil {
			return err
		}
	}
	if bits.Test(uid) {
		return nil
	}
	out, err := bits.Set(uid).MarshalBinary()
	if err != nil {
		return err
	}
	return kv.PutTTL(ctx, kvstore.NSMetrics, key, out, 40*24*time.Hour) // EXPECT kvrace
}

// ActiveOn returns the number of distinct users active on day.
func ActiveOn(ctx context.Context, kv *kvstore.Client, day time.Time) (uint, error) {
	raw, found, err := kv.Get(ctx, kvstore.NSMetrics, "dau:"+day.UTC().Format(dayLayout))
	if err != nil || !found {
		return 0, err
	}
	var bits bitset.BitSet
	if err := bits.UnmarshalBinary(raw); err != nil {
		return 0, err
	}
	return bits.Count(), nil
}

// Tally accumulates page views between flushes.
type Tally struct {
	mu      sync.Mutex
	pending map[uint64]uint64
	totals  map[uint64]uint64 // what was last written per question
}

func NewTally() *Tally {
	return &Tally{pending: map[uint64]uint64{}, totals: map[uint64]uint64{}}
}

func (t *Tally) Hit(q uint64) {
	t.mu.Lock()
	t.pending[q]++
	t.mu.Unlock()
}

// Flush writes the running totals of the questions seen since the last flush.
// It runs from a ticker every few seconds.
func (t *Tally) Flush(ctx context.Context, kv *kvstore.Client) error {
	t.mu.Lock()
	batch := t.pending
	t.pending = map[uint64]uint64{}
	for q, n := range batch {
		t.totals[q] += n
		batch[q] = t.totals[q]
	}
	t.mu.Unlock()
	for q, total := range batch {
		key := "views:q:" + strconv.FormatUint(q, 10)
		if err := kv.Put(ctx, kvstore.NSMetrics, key, []byte(strconv.FormatUint(total, 10))); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

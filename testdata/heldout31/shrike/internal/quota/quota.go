// Package quota limits how often a subject may do something. Two
// implementations exist: an in-process one and one shared through the
// key-value store; main picks one from configuration.
package quota

import (
	"context"
	"strconv"
	"sync"
	"time"

	"example.com/shrike/internal/keys"
	"example.com/shrike/internal/kvop"
)

type Limiter interface {
	Allow(ctx context.Context, subject string) (bool, error)
}

// Memory is a fixed-window limiter held in process memory.
type Memory struct {
	mu      sync.Mutex
	limit   int
	window  time.Duration
	now     func() time.Time
	buckets map[string]memBucket
}

type memBucket struct {
	start time.Time
	n     int
}

func NewMemory(limit int, window time.Duration, now func() time.Time) *Memory {
	if now == nil {
		now = time.Now
	}
	return &Memory{limit: limit, window: window, now: now, buckets: map[string]memBucket{}}
}

func (m *Memory) Allow(_ context.Context, subject string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	b := m.buckets[subject]
	if now.Sub(b.start) >= m.window {
		b = memBucket{start: now.Truncate(m.window)}
	}
	if b.n >= m.limit {
		m.buckets[subject] = b
		return false, nil
	}
	b.n++
	m.buckets[subject] = b
	return true, nil
}

// KV is a fixed-window limiter whose counts live in the key-value store so
// that every isolate sees them.
type KV struct {
	exec   kvop.Exec
	prefix string
	limit  int
	window time.Duration
	now    func() time.Time
}

func NewKV(exec kvop.Exec, prefix string, limit int, window time.Duration) *KV {
	return &KV{exec: exec, prefix: prefix, limit: limit, window: window, now: time.Now}
}

func (l *KV) Allow(ctx context.Context, subject string) (bool, error) {
	key := l.prefix + keys.Sep + subject + keys.Sep + keys.Bucket(l.now(), l.window)
	res, err := l.exec(ctx, kvop.GetOp(key))
	if err != nil {
		return false, err
	}
	n := 0
	if res.Found {
		n, _ = strconv.Atoi(string(res.Value))
	}
	if n >= l.limit {
		return false, nil
	}
	ttl := max(2*l.window, time.Minute)
	_, err = l.exec(ctx, kvop.PutOp(key, []byte(strconv.Itoa(n+1)), ttl)) // EXPECT kvcounter
	return err == nil, err
}

var (
	_ Limiter = (*Memory)(nil)
	_ Limiter = (*KV)(nil)
)

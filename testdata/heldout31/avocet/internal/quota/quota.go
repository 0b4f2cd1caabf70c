// Package quota limits how often a subject may do something, on the shared
// key-value store or in process memory; main picks one from configuration.
package quota

import (
	"context"
	"fmt"
	"strconv"
	"sync"
	"time"

	"example.com/avocet/internal/ops"
)

// Limiter decides whether one more request from subject is allowed.
type Limiter interface {
	Allow(ctx context.Context, subject string) (bool, error)
}

// KV keeps fixed-window numbers in the key-value store so every isolate
// sees the same budget.
type KV struct {
	exec   ops.Exec
	limit  int
	window time.Duration
	now    func() time.Time
}

func NewKV(exec ops.Exec, limit int, window time.Duration) *KV {
	return &KV{exec: exec, limit: limit, window: window, now: time.Now}
}

func (l *KV) Allow(ctx context.Context, subject string) (bool, error) {
	bucket := l.now().Truncate(l.window).Unix()
	key := fmt.Sprintf("ratelimit:%s:%d", subject, bucket)
	res, err := l.exec(ctx, ops.Get(key))
	if err != nil {
		return false, err
	}
	n := 0
	if res.Found {
		if n, err = strconv.Atoi(string(res.Value)); err != nil {
			n = 0
		}
	}
	if n >= l.limit {
		return false, nil
	}
	ttl := max(2*l.window, time.Minute)
	return true, l.exec.Do(ctx, ops.Put(key, []byte(strconv.Itoa(n+1)), ttl)) // EXPECT kvcounter
}

// Memory keeps one budget per isolate: it sheds obvious floods on the
// anonymous endpoints without any storage traffic.
type Memory struct {
	mu      sync.Mutex
	limit   int
	window  time.Duration
	buckets map[string]*window
	now     func() time.Time
}

type window struct {
	start time.Time
	n     int
}

func NewMemory(limit int, per time.Duration) *Memory {
	return &Memory{limit: limit, window: per, buckets: map[string]*window{}, now: time.Now}
}

func (m *Memory) Allow(_ context.Context, subject string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	now := m.now()
	w, ok := m.buckets[subject]
	if !ok || now.Sub(w.start) >= m.window {
		w = &window{start: now}
		m.buckets[subject] = w
	}
	if w.n >= m.limit {
		return false, nil
	}
	w.n++
	return true, nil
}

// Choose returns the limiter named by kind ("kv" or "memory").
func Choose(kind string, exec ops.Exec, limit int, per time.Duration) (Limiter, error) {
	if kind == "kv" {
		return NewKV(exec, limit, per), nil
	} else if kind != "memory" {
		return nil, fmt.Errorf("quota: unknown limiter %q", kind)
	}
	return NewMemory(limit, per), nil
}

var (
	_ Limiter = (*KV)(nil)
	_ Limiter = (*Memory)(nil)
)

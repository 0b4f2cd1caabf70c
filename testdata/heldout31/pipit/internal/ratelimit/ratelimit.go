// Package ratelimit throttles callers. Two implementations exist: one in
// process memory, one shared through the key-value store.
package ratelimit

import (
	"context"
	"errors"
	"strconv"
	"sync"
	"time"

	"example.com/pipit/internal/kvop"
)

// Limiter decides whether a caller identified by key may proceed.
type Limiter interface {
	Allow(ctx context.Context, key string) (bool, error)
}

// Window is a fixed-window policy.
type Window struct {
	Limit int
	Per   time.Duration
}

func (w Window) bucket(now time.Time) int64 { return now.UnixNano() / int64(w.Per) }

// Memory limits per process; each instance allows Limit requests per window.
type Memory struct {
	w   Window
	now func() time.Time

	mu     sync.Mutex
	counts map[string]int
	bucket int64
}

// NewMemory returns an in-memory limiter.
func NewMemory(w Window) *Memory {
	return &Memory{w: w, now: time.Now, counts: map[string]int{}}
}

func (m *Memory) Allow(_ context.Context, key string) (bool, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if b := m.w.bucket(m.now()); b != m.bucket {
		m.bucket, m.counts = b, map[string]int{}
	}
	if m.counts[key] >= m.w.Limit {
		return false, nil
	}
	m.counts[key]++
	return true, nil
}

// Shared limits across instances by keeping the window's count in KV.
type Shared struct {
	w    Window
	exec kvop.Exec
	now  func() time.Time
}

// NewShared returns a limiter backed by the key-value store.
func NewShared(w Window, exec kvop.Exec) *Shared {
	return &Shared{w: w, exec: exec, now: time.Now}
}

func (s *Shared) Allow(ctx context.Context, key string) (bool, error) {
	k := "ratelimit:" + key + ":" + strconv.FormatInt(s.w.bucket(s.now()), 10)
	n := 0
	res, err := s.exec(ctx, kvop.Get(k))
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(res.Value))
	case !errors.Is(err, kvop.ErrNotFound):
		return true, err // fail open
	}
	if n >= s.w.Limit {
		return false, nil
	}
	_, err = s.exec(ctx, kvop.Put(k, []byte(strconv.Itoa(n+1)), s.w.Per+time.Minute)) // EXPECT kvcounter
	return true, err
}

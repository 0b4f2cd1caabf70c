// Package ratelimit applies per-project request limits.
package ratelimit

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/osprey/internal/config"
	"example.com/osprey/internal/storage"
)

// Limiter decides whether a request may proceed.
type Limiter interface {
	Allow(ctx context.Context, project string) (bool, error)
}

type fixedWindow struct {
	raw    storage.Raw
	name   string
	window config.Window
}

var _ Limiter = (*fixedWindow)(nil)

// NewFixedWindow returns a limiter counting requests per window.
func NewFixedWindow(raw storage.Raw, name string, w config.Window) Limiter {
	return &fixedWindow{raw: raw, name: name, window: w}
}

func (f *fixedWindow) key(project string, now time.Time) string {
	return fmt.Sprintf("ratelimit:%s:%s:%d", f.name, project, now.Truncate(f.window.Window).Unix())
}

func (f *fixedWindow) Allow(ctx context.Context, project string) (bool, error) {
	now := time.Now()
	key := f.key(project, now)
	var n int
	b, err := f.raw.Get(ctx, key)
	switch {
	case err == nil:
		n, _ = strconv.Atoi(string(b))
	case errors.Is(err, storage.ErrNotFound):
	default:
		return false, err
	}
	if n >= f.window.Max {
		return false, nil
	}
	ttl := max(2*f.window.Window, 5*time.Second)                                                 // EXPECT kvttl
	if err := f.raw.Put(ctx, key, []byte(strconv.Itoa(n+1)), storage.WithTTL(ttl)); err != nil { // EXPECT kvcounter
		return false, err
	}
	return true, nil
}

// Static is an in-process limiter used where a shared count is not needed
// (one instance per admin process).
type Static struct {
	Max  int
	used map[string]int
}

// Allow implements Limiter without touching storage.
func (s *Static) Allow(_ context.Context, project string) (bool, error) {
	if s.used == nil {
		s.used = map[string]int{}
	}
	if s.used[project] >= s.Max {
		return false, nil
	}
	s.used[project]++
	return true, nil
}

// Policy is published to KV so edge workers can read a project's limits.
type Policy struct {
	Project   string `json:"project"`
	PerMinute int    `json:"per_minute"`
	Burst     int    `json:"burst"`
}

// Publish writes the policy once, as configured by an operator; the value
// comes from the request, not from a previous read.
func Publish(ctx context.Context, raw storage.Raw, p Policy) error {
	b := fmt.Sprintf(`{"project":%q,"per_minute":%d,"burst":%d}`, p.Project, p.PerMinute, p.Burst)
	return raw.Put(ctx, "ratelimit-policy/"+p.Project, []byte(b), storage.WithTTL(24*time.Hour))
}

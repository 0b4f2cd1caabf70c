// Package cron runs named maintenance jobs on a schedule or on demand.
package cron

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"sync"
	"time"

	"example.com/cobalt/internal/storage"
)

// ErrUnknownJob is returned by Trigger for a name with no handler.
var ErrUnknownJob = errors.New("cron: unknown job")

// Handler runs one job.
type Handler func(ctx context.Context) error

// Scheduler holds the job table.
type Scheduler struct {
	mu       sync.Mutex
	handlers map[string]Handler
	every    map[string]time.Duration
	log      *slog.Logger
}

// New returns an empty scheduler.
func New(log *slog.Logger) *Scheduler {
	return &Scheduler{
		handlers: map[string]Handler{},
		every:    map[string]time.Duration{},
		log:      log,
	}
}

// Handle registers a job. A zero interval means on demand only.
func (s *Scheduler) Handle(name string, every time.Duration, h Handler) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.handlers[name] = h
	if every > 0 {
		s.every[name] = every
	}
}

// Trigger runs a job now.
func (s *Scheduler) Trigger(ctx context.Context, name string) error {
	s.mu.Lock()
	h, ok := s.handlers[name]
	s.mu.Unlock()
	if !ok {
		return fmt.Errorf("%w: %s", ErrUnknownJob, name)
	}
	start := time.Now()
	err := h(ctx)
	s.log.InfoContext(ctx, "job finished", "job", name, "took", time.Since(start), "err", err)
	return err
}

// Run starts a ticker per scheduled job and blocks until ctx ends.
func (s *Scheduler) Run(ctx context.Context) {
	s.mu.Lock()
	every := maps.Clone(s.every)
	s.mu.Unlock()
	var wg sync.WaitGroup
	for name, d := range every {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(d)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					_ = s.Trigger(ctx, name)
				}
			}
		}()
	}
	wg.Wait()
}

// forEachKey calls fn for every key under prefix.
func forEachKey(ctx context.Context, l storage.Lister, prefix string, fn func(storage.Entry) error) error {
	opts := storage.ListOptions{Prefix: prefix, Limit: 1000}
	for {
		page, err := l.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, e := range page.Entries {
			if err := fn(e); err != nil {
				return err
			}
		}
		if page.Complete {
			return nil
		}
		opts.Cursor = page.Cursor
	}
}

// PurgeRetired deletes device tombstones once the retention has passed.
func PurgeRetired(st storage.Store, retention time.Duration, log *slog.Logger) Handler {
	return func(ctx context.Context) error {
		cutoff := time.Now().Add(-retention)
		purged := 0
		err := forEachKey(ctx, st, "device:", func(e storage.Entry) error {
			retired, _ := e.Metadata["retired"].(bool)
			if !retired {
				return nil
			}
			if at, ok := e.Metadata["retired_at"].(float64); ok && time.Unix(int64(at), 0).After(cutoff) {
				return nil
			}
			purged++
			return st.Delete(ctx, e.Key)
		})
		log.InfoContext(ctx, "retired devices purged", "count", purged)
		return err
	}
}

// SweepStaleTargets removes staged firmware targets older than maxAge, using
// key metadata only. It examines at most maxPages pages per run and resumes
// where the previous run stopped.
func SweepStaleTargets(st storage.Store, maxAge time.Duration, maxPages int) Handler {
	var mu sync.Mutex
	cursor := ""
	return func(ctx context.Context) error {
		mu.Lock()
		defer mu.Unlock()
		cutoff := time.Now().Add(-maxAge).Unix()
		for range maxPages {
			page, err := st.List(ctx, storage.ListOptions{Prefix: "fw:target:", Cursor: cursor, Limit: 500})
			if err != nil {
				return err
			}
			for _, e := range page.Entries {
				staged, ok := e.Metadata["staged_at"].(float64)
				if !ok || int64(staged) > cutoff {
					continue
				}
				if err := st.Delete(ctx, e.Key); err != nil {
					return err
				}
			}
			if page.Complete {
				cursor = ""
				return nil
			}
			cursor = page.Cursor
		}
		return nil
	}
}

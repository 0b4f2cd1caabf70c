// Package flags reads feature flags at request time. Flags live in one JSON
// document in storage and are cached in the isolate for a short while.
package flags

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// Names of the flags in use.
const (
	SlotKeyedCalendar = "bookings.slot-keyed-calendar"
	MemoryAttempts    = "auth.memory-attempt-counter"
)

// Source loads the raw flag document.
type Source func(ctx context.Context) ([]byte, error)

// Set is a cached view of the flag document.
type Set struct {
	src     Source
	refresh time.Duration

	mu      sync.Mutex
	loaded  time.Time
	current map[string]bool
}

// New returns a Set reading from src at most once per refresh.
func New(src Source, refresh time.Duration) *Set {
	return &Set{src: src, refresh: refresh}
}

// Enabled reports whether name is on. Unknown flags and load failures read
// as off so the old code path stays the default.
func (s *Set) Enabled(ctx context.Context, name string) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.current == nil || time.Since(s.loaded) > s.refresh {
		if b, err := s.src(ctx); err == nil {
			var m map[string]bool
			if json.Unmarshal(b, &m) == nil {
				s.current = m
			}
		}
		s.loaded = time.Now()
	}
	return s.current[name]
}

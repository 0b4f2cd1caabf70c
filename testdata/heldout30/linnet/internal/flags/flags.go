// Package flags evaluates feature flags at request time. The flag document
// lives in KV; each process reuses a fetched copy for a short while.
package flags

import (
	"context"
	"errors"
	"hash/fnv"
	"slices"
	"sync"
	"time"

	"example.com/linnet/internal/storage"
)

// Names of the flags the code currently reads.
const (
	ShardedLeaderboard = "leaderboard_sharded"
	StreamAudio        = "audio_stream_direct"
	NewRosterPath      = "roster_v2"
)

// Rule is one flag's rollout.
type Rule struct {
	Enabled bool     `json:"enabled"`
	Percent int      `json:"percent"`
	Allow   []string `json:"allow,omitempty"`
}

// Document is the whole flag set as stored.
type Document struct {
	Version int             `json:"version"`
	Rules   map[string]Rule `json:"rules"`
}

const documentKey = "config:flags"

// Source reads flags through a storage.Store.
type Source struct {
	store    storage.Store
	refresh  time.Duration
	defaults Document

	mu      sync.Mutex
	doc     Document
	fetched time.Time
}

// NewSource returns a Source backed by store that reuses a fetched
// document for refresh and falls back to defaults when none is stored.
func NewSource(store storage.Store, refresh time.Duration, defaults Document) *Source {
	return &Source{store: store, refresh: refresh, defaults: defaults, doc: defaults}
}

func (s *Source) current(ctx context.Context) Document {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.fetched.IsZero() && time.Since(s.fetched) < s.refresh {
		return s.doc
	}
	doc, err := storage.GetJSON[Document](ctx, s.store, documentKey)
	switch {
	case errors.Is(err, storage.ErrNotFound):
		s.doc = s.defaults
	case err != nil:
		// keep serving the last good document
	default:
		s.doc = doc
	}
	s.fetched = time.Now()
	return s.doc
}

// Enabled reports whether flag is on for subject (a learner or class ID).
func (s *Source) Enabled(ctx context.Context, flag, subject string) bool {
	rule, ok := s.current(ctx).Rules[flag]
	if !ok || !rule.Enabled {
		return false
	}
	if slices.Contains(rule.Allow, subject) || rule.Percent >= 100 {
		return true
	}
	h := fnv.New32a()
	h.Write([]byte(flag + "/" + subject))
	return int(h.Sum32()%100) < rule.Percent
}

// Save replaces the stored flag document and the local copy.
func (s *Source) Save(ctx context.Context, doc Document) error {
	if err := storage.PutJSON(ctx, s.store, documentKey, doc); err != nil {
		return err
	}
	s.mu.Lock()
	s.doc, s.fetched = doc, time.Now()
	s.mu.Unlock()
	return nil
}

// Package results computes poll results and caches them in KV, both for the
// API and as public snapshots the edge Worker serves.
package results

import (
	"context"
	"encoding/json"
	"errors"
	"time"

	"example.com/bellwether/internal/coalesce"
	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/polls"
)

// Snapshot is a poll's results at one moment.
type Snapshot struct {
	PollID     string         `json:"poll_id"`
	Counts     map[string]int `json:"counts"`
	Total      int            `json:"total"`
	ComputedAt time.Time      `json:"computed_at"`
}

// TallySource reads authoritative per-choice counts.
type TallySource interface {
	Tallies(ctx context.Context, pollID string, choiceIDs []string) (map[string]int, error)
}

// PollSource loads poll definitions.
type PollSource interface {
	Get(ctx context.Context, id string) (polls.Poll, error)
}

// Config is shared with the admin endpoint, which may change it at run time.
type Config struct {
	TTL    time.Duration
	Prefix string
}

// DefaultConfig returns the settings used when none are given.
func DefaultConfig() *Config {
	return &Config{TTL: 5 * time.Minute, Prefix: "results:"}
}

// Cache is a read-through cache of snapshots.
type Cache struct {
	store kvstore.Store
	cfg   *Config
	tally TallySource
	polls PollSource
	group coalesce.Group[string, Snapshot]
	now   func() time.Time
}

// New returns a Cache. cfg is kept, not copied.
func New(store kvstore.Store, cfg *Config, tally TallySource, ps PollSource) *Cache {
	if cfg == nil {
		cfg = DefaultConfig()
	}
	return &Cache{store: store, cfg: cfg, tally: tally, polls: ps, now: time.Now}
}

// Get returns the cached snapshot for a poll, computing it on a miss.
// Concurrent misses for the same poll share one computation.
func (c *Cache) Get(ctx context.Context, pollID string) (Snapshot, error) {
	snap, err, _ := c.group.Do(pollID, func() (Snapshot, error) {
		return c.load(ctx, pollID)
	})
	return snap, err
}

func (c *Cache) load(ctx context.Context, pollID string) (Snapshot, error) {
	key := c.cfg.Prefix + pollID
	raw, err := c.store.Get(ctx, key)
	if err == nil {
		var snap Snapshot
		if jerr := json.Unmarshal(raw, &snap); jerr == nil {
			return snap, nil
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return Snapshot{}, err
	}
	p, err := c.polls.Get(ctx, pollID)
	if err != nil {
		return Snapshot{}, err
	}
	snap, err := c.compute(ctx, p)
	if err != nil {
		return Snapshot{}, err
	}
	body, err := json.Marshal(snap)
	if err != nil {
		return Snapshot{}, err
	}
	return snap, c.store.Put(ctx, key, body, kvstore.WithTTL(c.cfg.TTL))
}

func (c *Cache) compute(ctx context.Context, p polls.Poll) (Snapshot, error) {
	ids := make([]string, len(p.Choices))
	for i, ch := range p.Choices {
		ids[i] = ch.ID
	}
	counts, err := c.tally.Tallies(ctx, p.ID, ids)
	if err != nil {
		return Snapshot{}, err
	}
	snap := Snapshot{PollID: p.ID, Counts: counts, ComputedAt: c.now().UTC()}
	for _, n := range counts {
		snap.Total += n
	}
	return snap, nil
}

// Publish writes the public snapshot of p for the edge. How long it may be
// served depends on the newsroom's tier.
func (c *Cache) Publish(ctx context.Context, p polls.Poll) (Snapshot, error) {
	snap, err := c.compute(ctx, p)
	if err != nil {
		return Snapshot{}, err
	}
	body, err := json.Marshal(snap)
	if err != nil {
		return Snapshot{}, err
	}
	return snap, c.store.Put(ctx, PublicKey(p.Slug), body, kvstore.WithTTL(p.Tier.TTL()))
}

// PublicKey is where the edge Worker finds a poll's public results.
func PublicKey(slug string) string { return "public-results:" + slug }

// Invalidate drops the cached snapshot for a poll.
func (c *Cache) Invalidate(ctx context.Context, pollID string) error {
	c.group.Forget(pollID)
	return c.store.Delete(ctx, c.cfg.Prefix+pollID)
}

// Package quota meters how often each workspace calls each MCP tool.
package quota

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/birdline/gallinule/internal/kvstore"
)

// ErrExhausted is returned by Consume when a workspace has used its quota.
var ErrExhausted = errors.New("quota: exhausted for today")

// Meter keeps daily per-tool quotas.
type Meter struct {
	NS *kvstore.Namespace
	// Limit returns the daily limit for a workspace and tool; <= 0 means unlimited.
	Limit func(ctx context.Context, ws, tool string) int

	mu      sync.Mutex
	pending map[string]int64
}

func dayKey(ws, tool string, t time.Time) string {
	return fmt.Sprintf("quota/%s/%s/%s", ws, tool, t.UTC().Format("20060102"))
}

func endOfDayUTC(t time.Time) time.Time {
	y, m, d := t.UTC().Date()
	return time.Date(y, m, d+1, 0, 0, 0, 0, time.UTC)
}

// Consume records one call of tool by ws, or returns ErrExhausted.
func (m *Meter) Consume(ctx context.Context, ws, tool string) (remaining int, err error) {
	limit := m.Limit(ctx, ws, tool)
	if limit <= 0 {
		return -1, nil
	}
	now := time.Now()
	key := dayKey(ws, tool, now)
	used := 0
	raw, err := m.NS.Get(ctx, key)
	switch {
	case errors.Is(err, kvstore.ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if used, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("quota %s: %w", key, err)
		}
	}
	if used >= limit {
		return 0, ErrExhausted
	}
	ttl := max(time.Until(endOfDayUTC(now)), kvstore.MinTTL)
	if err := m.NS.Put(ctx, key, []byte(strconv.Itoa(used+1)), ttl); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return limit - used - 1, nil
}

// SetLimit stores an operator-set daily limit that the default Limit
// function reads.
func (m *Meter) SetLimit(ctx context.Context, ws, tool string, limit int) error {
	return m.NS.Put(ctx, "quota-limit/"+ws+"/"+tool, []byte(strconv.Itoa(limit)), 0) // DEBATABLE kvcounter
}

// StoredLimit is the Limit function used when no rule overrides it.
func (m *Meter) StoredLimit(ctx context.Context, ws, tool string) int {
	raw, err := m.NS.Get(ctx, "quota-limit/"+ws+"/"+tool)
	if err != nil {
		return 1000
	}
	n, err := strconv.Atoi(string(raw))
	if err != nil {
		return 1000
	}
	return n
}

// Note adds n tokens of model usage for ws to the in-process tally that
// Flush writes out.
func (m *Meter) Note(ws string, n int64) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.pending == nil {
		m.pending = make(map[string]int64)
	}
	m.pending[ws] += n
}

// Flush writes every workspace's running token total for the current hour.
func (m *Meter) Flush(ctx context.Context) error {
	m.mu.Lock()
	totals := m.pending
	m.mu.Unlock()
	hour := time.Now().UTC().Format("2006010215")
	var errs []error
	for ws, total := range totals {
		key := "usage/tokens-count/" + ws + "/" + hour
		if err := m.NS.Put(ctx, key, []byte(strconv.FormatInt(total, 10)), 48*time.Hour); err != nil { // EXPECT kvcounter
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// WindowGuard refuses a tool call made again within window of the previous
// one for the same workspace and argument hash.
func (m *Meter) WindowGuard(ctx context.Context, ws, tool, argHash string, window time.Duration) (bool, error) {
	key := "recent/" + ws + "/" + tool + "/" + argHash
	if _, err := m.NS.Get(ctx, key); err == nil {
		return false, nil
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return false, err
	}
	ttl := max(2*window, 3*time.Second)                                                 // EXPECT kvttl
	return true, m.NS.Put(ctx, key, []byte(time.Now().UTC().Format(time.RFC3339)), ttl) // EXPECT kvrace
}

// ResetWorkspace deletes today's counters of ws, at most maxKeys of them.
func (m *Meter) ResetWorkspace(ctx context.Context, ws string, maxKeys int) (int, error) {
	prefix := "quota/" + ws + "/"
	deleted, cursor := 0, ""
	for deleted < maxKeys {
		entries, next, err := m.NS.ListPage(ctx, prefix, cursor, min(1000, maxKeys-deleted))
		if err != nil {
			return deleted, err
		}
		for _, e := range entries {
			if err := m.NS.Delete(ctx, e.Key); err != nil {
				return deleted, err
			}
			deleted++
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return deleted, nil
}

// Cooldown blocks a workspace from tool until the given time.
func (m *Meter) Cooldown(ctx context.Context, ws, tool string, until time.Time) error {
	return m.NS.Put(ctx, "cooldown/"+ws+"/"+tool, []byte(until.UTC().Format(time.RFC3339)), time.Until(until)) // EXPECT kvttl
}

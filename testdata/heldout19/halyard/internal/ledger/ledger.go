// Package ledger is the authoritative store for anything that must be counted
// or totalled exactly. In production it is a D1 database reached through the
// platform binding; this package holds the interface and an in-memory stand-in.
package ledger

import (
	"context"
	"fmt"
	"sync"
)

// DB is the subset of a D1 database that halyard uses.
type DB interface {
	// Add atomically adds delta to the counter row (table, key) and returns
	// the new total. Equivalent to
	//   INSERT ... ON CONFLICT DO UPDATE SET n = n + ?  RETURNING n
	Add(ctx context.Context, table, key string, delta int64) (int64, error)
	// Total reads the current total.
	Total(ctx context.Context, table, key string) (int64, error)
}

// Memory is an in-process DB for tests and local runs.
type Memory struct {
	mu   sync.Mutex
	rows map[string]int64
}

// NewMemory returns an empty ledger.
func NewMemory() *Memory { return &Memory{rows: map[string]int64{}} }

func rowKey(table, key string) string { return table + "\x00" + key }

// Add implements DB.
func (m *Memory) Add(_ context.Context, table, key string, delta int64) (int64, error) {
	if table == "" {
		return 0, fmt.Errorf("ledger: empty table")
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	m.rows[rowKey(table, key)] += delta
	return m.rows[rowKey(table, key)], nil
}

// Total implements DB.
func (m *Memory) Total(_ context.Context, table, key string) (int64, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.rows[rowKey(table, key)], nil
}

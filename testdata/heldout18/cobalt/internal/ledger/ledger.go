// Package ledger is the relational store for counts that must be exact. In
// production it is a D1 database; here it is a small in-process stand-in with
// the same statement-level semantics.
package ledger

import (
	"context"
	"errors"
	"sort"
	"strings"
	"sync"
)

// ErrNoRows is returned when a query matches nothing.
var ErrNoRows = errors.New("ledger: no rows")

// DB executes the handful of statements the services use. Each statement is
// atomic, as an UPDATE ... SET n = n + ? is in D1.
type DB struct {
	mu   sync.Mutex
	rows map[string]int64
}

// Open returns an empty ledger.
func Open() *DB { return &DB{rows: map[string]int64{}} }

// Add runs `INSERT ... ON CONFLICT DO UPDATE SET n = n + ?` for one counter and
// returns the new value.
func (db *DB) Add(_ context.Context, table, id string, delta int64) (int64, error) {
	if table == "" || id == "" {
		return 0, errors.New("ledger: table and id are required")
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	k := table + "/" + id
	db.rows[k] += delta
	return db.rows[k], nil
}

// AddIfBelow adds delta only when the result stays at or under limit, in one
// statement (`UPDATE ... SET n = n + ? WHERE n + ? <= ?`).
func (db *DB) AddIfBelow(_ context.Context, table, id string, delta, limit int64) (int64, bool, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	k := table + "/" + id
	if db.rows[k]+delta > limit {
		return db.rows[k], false, nil
	}
	db.rows[k] += delta
	return db.rows[k], true, nil
}

// Value reads one counter.
func (db *DB) Value(_ context.Context, table, id string) (int64, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	n, ok := db.rows[table+"/"+id]
	if !ok {
		return 0, ErrNoRows
	}
	return n, nil
}

// Row is one counter in a scan.
type Row struct {
	ID    string
	Value int64
}

// Scan returns every counter in table whose ID starts with prefix.
func (db *DB) Scan(_ context.Context, table, prefix string) ([]Row, error) {
	db.mu.Lock()
	defer db.mu.Unlock()
	var out []Row
	for k, v := range db.rows {
		id, ok := strings.CutPrefix(k, table+"/")
		if ok && strings.HasPrefix(id, prefix) {
			out = append(out, Row{ID: id, Value: v})
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].ID < out[j].ID })
	return out, nil
}

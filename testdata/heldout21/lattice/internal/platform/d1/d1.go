// Package d1 is the stand-in for the D1 database and the Durable Object
// counters that hold Lattice's running totals.
// In production these are reached over a Worker binding; here they sit
// behind the same small surface so services can be wired and tested.
package d1

import (
	"context"
	"sync"
	"time"
)

// DB is a minimal relational stand-in: named counters updated atomically,
// as UPDATE ... SET n = n + ? would.
type DB struct {
	mu       sync.Mutex
	counters map[string]int64
}

// Open returns an empty database.
func Open() *DB {
	return &DB{counters: make(map[string]int64)}
}

// Increment adds delta to table/key and returns the new value.
func (db *DB) Increment(ctx context.Context, table, key string, delta int64) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	k := table + "/" + key
	db.counters[k] += delta
	return db.counters[k], nil
}

// Counter reads table/key.
func (db *DB) Counter(ctx context.Context, table, key string) (int64, error) {
	if err := ctx.Err(); err != nil {
		return 0, err
	}
	db.mu.Lock()
	defer db.mu.Unlock()
	return db.counters[table+"/"+key], nil
}

// Object is a Durable Object stand-in: one instance per name, all calls on
// it serialised.
type Object struct {
	mu     sync.Mutex
	count  int64
	window time.Time
}

// AddInWindow increments within a fixed window, resetting when it rolls over.
func (o *Object) AddInWindow(now time.Time, window time.Duration, delta int64) int64 {
	o.mu.Lock()
	defer o.mu.Unlock()
	start := now.Truncate(window)
	if !o.window.Equal(start) {
		o.window, o.count = start, 0
	}
	o.count += delta
	return o.count
}

// Namespace resolves object names to instances.
type Namespace struct {
	objects sync.Map
}

// Get returns the object called name, creating it on first use.
func (ns *Namespace) Get(name string) *Object {
	v, _ := ns.objects.LoadOrStore(name, &Object{})
	return v.(*Object)
}

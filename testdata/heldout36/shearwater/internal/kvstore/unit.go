//go:build js && wasm

package kvstore

import (
	"context"
	"errors"
	"time"
)

// Unit buffers the writes of one request and applies them on Commit, so a
// handler that fails half way leaves KV untouched.
type Unit struct {
	s     *Store
	order []string
	ops   map[string]op
	done  bool
}

type op struct {
	value  string
	ttl    time.Duration
	delete bool
}

// Begin opens a unit of work on s.
func (s *Store) Begin() *Unit {
	return &Unit{s: s, ops: make(map[string]op)}
}

// Put buffers a write. A later Put or Delete of the same key replaces it.
func (u *Unit) Put(key, value string, ttl time.Duration) {
	u.record(key, op{value: value, ttl: ttl})
}

// Delete buffers a delete.
func (u *Unit) Delete(key string) {
	u.record(key, op{delete: true})
}

func (u *Unit) record(key string, o op) {
	if _, seen := u.ops[key]; !seen {
		u.order = append(u.order, key)
	}
	u.ops[key] = o
}

// Discard drops everything buffered.
func (u *Unit) Discard() { u.done = true }

// Commit applies the buffered operations in first-touch order. TTLs under
// KV's minimum are raised to a minute.
func (u *Unit) Commit(ctx context.Context) error {
	if u.done {
		return nil
	}
	u.done = true
	var errs []error
	for _, k := range u.order {
		o := u.ops[k]
		if o.delete {
			errs = append(errs, u.s.Delete(ctx, k))
			continue
		}
		ttl := o.ttl
		if ttl > 0 && ttl < time.Minute {
			ttl = time.Minute
		}
		errs = append(errs, u.s.Put(ctx, k, o.value, ttl))
	}
	return errors.Join(errs...)
}

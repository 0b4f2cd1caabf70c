//go:build js && wasm

package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"
)

type pending struct {
	del   bool
	value string
	ttl   time.Duration
}

// UnitOfWork buffers the writes of one request and applies them on Commit.
// Later writes to a key replace earlier ones, so a key is written at most once
// per commit.
type UnitOfWork struct {
	s     *Store
	order []string
	ops   map[string]pending
	done  bool
}

// Begin opens a unit of work on s.
func (s *Store) Begin() *UnitOfWork {
	return &UnitOfWork{s: s, ops: make(map[string]pending)}
}

func (u *UnitOfWork) stage(key string, p pending) {
	if _, seen := u.ops[key]; !seen {
		u.order = append(u.order, key)
	}
	u.ops[key] = p
}

// Put stages a write.
func (u *UnitOfWork) Put(key, value string, ttl time.Duration) {
	u.stage(key, pending{value: value, ttl: ttl})
}

// PutJSON stages a JSON write.
func (u *UnitOfWork) PutJSON(key string, v any, ttl time.Duration) error {
	b, err := json.Marshal(v)
	if err != nil {
		return fmt.Errorf("encode %s: %w", key, err)
	}
	u.Put(key, string(b), ttl)
	return nil
}

// Delete stages a delete.
func (u *UnitOfWork) Delete(key string) {
	u.stage(key, pending{del: true})
}

// Len reports the number of distinct keys staged.
func (u *UnitOfWork) Len() int { return len(u.order) }

// Commit applies the staged writes in the order their keys were first staged.
// It is safe to call more than once; only the first call writes.
func (u *UnitOfWork) Commit(ctx context.Context) error {
	if u.done {
		return nil
	}
	u.done = true
	var errs []error
	for _, k := range u.order {
		p := u.ops[k]
		var err error
		if p.del {
			err = u.s.Delete(ctx, k)
		} else {
			err = u.s.Put(ctx, k, p.value, p.ttl)
		}
		if err != nil {
			errs = append(errs, err)
		}
	}
	if len(errs) > 0 {
		return fmt.Errorf("commit %d writes: %w", len(u.order), errors.Join(errs...))
	}
	return nil
}

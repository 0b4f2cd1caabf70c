package storage

import (
	"context"
	"errors"
	"fmt"
	"sort"
)

// UnitOfWork collects writes and deletes and applies them together on
// Commit. Later writes to the same key replace earlier staged ones, so a
// key is written at most once per commit.
type UnitOfWork struct {
	store   Store
	puts    map[string]stagedPut
	deletes map[string]struct{}
	done    bool
}

type stagedPut struct {
	value []byte
	opts  []PutOption
}

// Begin starts a unit of work against s.
func Begin(s Store) *UnitOfWork {
	return &UnitOfWork{store: s, puts: map[string]stagedPut{}, deletes: map[string]struct{}{}}
}

// Put stages a write.
func (u *UnitOfWork) Put(key string, value []byte, opts ...PutOption) {
	delete(u.deletes, key)
	u.puts[key] = stagedPut{value: value, opts: opts}
}

// Delete stages a delete.
func (u *UnitOfWork) Delete(key string) {
	delete(u.puts, key)
	u.deletes[key] = struct{}{}
}

// Len reports how many operations are staged.
func (u *UnitOfWork) Len() int { return len(u.puts) + len(u.deletes) }

// CommitError lists the keys that could not be applied.
type CommitError struct {
	Failed map[string]error
}

func (e *CommitError) Error() string {
	return fmt.Sprintf("storage: commit failed for %d keys", len(e.Failed))
}

// Commit applies the staged operations in key order. It keeps going after a
// failure and reports every failed key.
func (u *UnitOfWork) Commit(ctx context.Context) error {
	if u.done {
		return errors.New("storage: unit of work already committed")
	}
	u.done = true
	failed := map[string]error{}
	for _, key := range sortedKeys(u.puts) {
		p := u.puts[key]
		if err := u.store.Put(ctx, key, p.value, p.opts...); err != nil {
			failed[key] = err
		}
	}
	for _, key := range sortedKeys(u.deletes) {
		if err := u.store.Delete(ctx, key); err != nil {
			failed[key] = err
		}
	}
	if len(failed) > 0 {
		return &CommitError{Failed: failed}
	}
	return nil
}

func sortedKeys[V any](m map[string]V) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

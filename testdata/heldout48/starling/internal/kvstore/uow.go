//go:build js && wasm

package kvstore

import (
	"errors"
	"time"
)

// UnitOfWork collects the KV changes of one request so that a handler can
// decide everything first and write once at the end. Repeated puts of a key
// are coalesced; reads see the request's own pending changes.
type UnitOfWork struct {
	kv      *Store
	puts    map[string]pending
	deletes map[string]bool
	order   []string
}

type pending struct {
	value string
	ttl   time.Duration
}

// Begin starts a unit of work on s.
func (s *Store) Begin() *UnitOfWork {
	return &UnitOfWork{kv: s, puts: map[string]pending{}, deletes: map[string]bool{}}
}

// Load returns the value of key as this unit of work sees it.
func (u *UnitOfWork) Load(key string) (string, bool, error) {
	if p, ok := u.puts[key]; ok {
		return p.value, true, nil
	}
	if u.deletes[key] {
		return "", false, nil
	}
	return u.kv.Get(key)
}

// Put records a write of value under key.
func (u *UnitOfWork) Put(key, value string, ttl time.Duration) {
	delete(u.deletes, key)
	if _, seen := u.puts[key]; !seen {
		u.order = append(u.order, key)
	}
	u.puts[key] = pending{value: value, ttl: ttl}
}

// Delete records the removal of key.
func (u *UnitOfWork) Delete(key string) {
	delete(u.puts, key)
	u.deletes[key] = true
}

// Commit writes the recorded puts in the order keys were first put, then the
// deletes.
func (u *UnitOfWork) Commit() error {
	var errs []error
	for _, key := range u.order {
		if p, ok := u.puts[key]; ok {
			errs = append(errs, u.kv.Put(key, p.value, p.ttl))
		}
	}
	for key := range u.deletes {
		errs = append(errs, u.kv.Delete(key))
	}
	u.puts, u.deletes, u.order = map[string]pending{}, map[string]bool{}, nil
	return errors.Join(errs...)
}

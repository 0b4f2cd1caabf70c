// Package units buffers the writes of one request in a unit of work and
// makes them on Commit, as a handler that fails half way must leave KV
// untouched.
package units

import (
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

type Store struct {
	ns     *kv.Namespace
	prefix string
}

func New(ns *kv.Namespace, prefix string) *Store { return &Store{ns: ns, prefix: prefix} }

func (s *Store) Get(key string) (string, error) { return s.ns.GetString(s.prefix+key, nil) }

func (s *Store) put(key, value string, ttl time.Duration) error {
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	return s.ns.PutString(s.prefix+key, value, opts)
}

func (s *Store) delete(key string) error { return s.ns.Delete(s.prefix + key) }

// Begin opens a unit of work.
func (s *Store) Begin() *Unit { return &Unit{s: s, ops: make(map[string]op)} }

type op struct {
	value  string
	ttl    time.Duration
	delete bool
}

// Unit keeps one write per key: a later Put or Delete of a key replaces
// the earlier one.
type Unit struct {
	s     *Store
	order []string
	ops   map[string]op
}

func (u *Unit) Put(key, value string, ttl time.Duration) { u.record(key, op{value: value, ttl: ttl}) }

func (u *Unit) Delete(key string) { u.record(key, op{delete: true}) }

func (u *Unit) record(key string, o op) {
	if _, seen := u.ops[key]; !seen {
		u.order = append(u.order, key)
	}
	u.ops[key] = o
}

// Commit makes the writes, in the order their keys were first staged.
func (u *Unit) Commit() error {
	var errs []error
	for _, k := range u.order {
		o := u.ops[k]
		if o.delete {
			errs = append(errs, u.s.delete(k))
			continue
		}
		errs = append(errs, u.s.put(k, o.value, o.ttl))
	}
	return errors.Join(errs...)
}

// Log appends events and writes them all on Flush: nothing collapses.
type Log struct {
	ns      *kv.Namespace
	pending []entry
}

type entry struct {
	key, value string
}

func (l *Log) Add(key, value string) { l.pending = append(l.pending, entry{key, value}) }

func (l *Log) Flush() error {
	for _, e := range l.pending {
		if err := l.ns.PutString(e.key, e.value, nil); err != nil {
			return err
		}
	}
	l.pending = nil
	return nil
}

// Batch stages writes and deletes of keys given as fmt.Stringer values,
// and applies them one by one on Commit, which deletes again the keys it
// created when a later one fails. The deferred closure captures the
// receiver.
type Batch struct {
	ns      *kv.Namespace
	ops     []pending
	created []string
}

type pending struct {
	key    string
	value  string
	remove bool
	fresh  bool
}

func NewBatch(ns *kv.Namespace) *Batch { return &Batch{ns: ns} }

// Create stages the write of a key the caller has just minted.
func (b *Batch) Create(key fmt.Stringer, value string) {
	b.ops = append(b.ops, pending{key: key.String(), value: value, fresh: true})
}

// Delete stages the removal of key.
func (b *Batch) Delete(key fmt.Stringer) {
	b.ops = append(b.ops, pending{key: key.String(), remove: true})
}

func (b *Batch) Commit() (err error) {
	defer func() {
		if err != nil {
			for _, k := range b.created {
				_ = b.ns.Delete(k)
			}
		}
		b.ops = b.ops[:0]
	}()
	for _, op := range b.ops {
		if op.remove {
			err = b.ns.Delete(op.key)
		} else {
			err = b.ns.PutString(op.key, op.value, nil)
		}
		if err != nil {
			return err
		}
		if op.fresh {
			b.created = append(b.created, op.key)
		}
	}
	return nil
}

// Update gives fn the value under key and writes back what it returns.
func (s *Store) Update(key fmt.Stringer, fn func(old string) string) error {
	old, err := s.ns.GetString(key.String(), nil)
	if err != nil {
		return err
	}
	return s.ns.PutString(key.String(), fn(old), nil) // want `read-modify-write on one KV key`
}

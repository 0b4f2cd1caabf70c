// Package uow collects KV writes and deletes so that a request or a job can
// commit them in one place once its own work has succeeded.
package uow

import "time"

// Kind is the kind of a pending operation.
type Kind uint8

const (
	KindPut Kind = iota + 1
	KindDelete
)

// Op is one pending operation.
type Op struct {
	Kind  Kind
	Key   string
	Value string
	TTL   time.Duration
	Meta  map[string]any
}

// UnitOfWork is an ordered list of pending operations. It is not safe for
// concurrent use.
type UnitOfWork struct {
	ops []Op
}

// New returns an empty unit of work.
func New() *UnitOfWork { return &UnitOfWork{} }

// Put queues a write. A zero ttl means the key does not expire.
func (u *UnitOfWork) Put(key, value string, ttl time.Duration) {
	u.ops = append(u.ops, Op{Kind: KindPut, Key: key, Value: value, TTL: ttl})
}

// PutWithMeta queues a write that carries list metadata (REST only).
func (u *UnitOfWork) PutWithMeta(key, value string, ttl time.Duration, meta map[string]any) {
	u.ops = append(u.ops, Op{Kind: KindPut, Key: key, Value: value, TTL: ttl, Meta: meta})
}

// Delete queues a delete.
func (u *UnitOfWork) Delete(key string) {
	u.ops = append(u.ops, Op{Kind: KindDelete, Key: key})
}

// Ops returns the pending operations in the order they were queued.
func (u *UnitOfWork) Ops() []Op { return u.ops }

// Len is the number of pending operations.
func (u *UnitOfWork) Len() int { return len(u.ops) }

// Reset drops all pending operations.
func (u *UnitOfWork) Reset() { u.ops = u.ops[:0] }

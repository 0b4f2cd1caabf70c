// Package uow collects the writes of one request and flushes them together
// once the handler has succeeded.
package uow

import (
	"context"
	"errors"
	"fmt"
	"log/slog"

	"example.com/tamarack/internal/platform/store"
)

type opKind int

const (
	opPut opKind = iota
	opDelete
	opAppend
)

type pending struct {
	kind  opKind
	key   string
	value string
	opts  []store.PutOption
}

// UnitOfWork buffers writes. It is not safe for concurrent use; each request
// gets its own.
type UnitOfWork struct {
	st   store.Store
	log  *slog.Logger
	ops  []pending
	done bool
}

// New returns an empty unit of work over st.
func New(st store.Store, log *slog.Logger) *UnitOfWork {
	return &UnitOfWork{st: st, log: log}
}

// Put records a write.
func (u *UnitOfWork) Put(key, value string, opts ...store.PutOption) {
	u.ops = append(u.ops, pending{kind: opPut, key: key, value: value, opts: opts})
}

// Delete records a delete.
func (u *UnitOfWork) Delete(key string) {
	u.ops = append(u.ops, pending{kind: opDelete, key: key})
}

// Append records a line to add to the end of a text value.
func (u *UnitOfWork) Append(key, line string) {
	u.ops = append(u.ops, pending{kind: opAppend, key: key, value: line})
}

// Rollback drops everything recorded so far.
func (u *UnitOfWork) Rollback() {
	u.ops = nil
	u.done = true
}

// coalesce keeps only the last put or delete per key, preserving order of
// first appearance. Appends are kept as they are.
func coalesce(ops []pending) []pending {
	last := make(map[string]int, len(ops))
	for i, o := range ops {
		if o.kind != opAppend {
			last[o.key] = i
		}
	}
	out := make([]pending, 0, len(ops))
	for i, o := range ops {
		if o.kind == opAppend || last[o.key] == i {
			out = append(out, o)
		}
	}
	return out
}

// Commit flushes the recorded operations. It attempts every operation and
// returns the joined errors.
func (u *UnitOfWork) Commit(ctx context.Context) error {
	if u.done {
		return nil
	}
	u.done = true
	var errs []error
	for _, o := range coalesce(u.ops) {
		var err error
		switch o.kind {
		case opPut:
			err = u.st.Put(ctx, o.key, o.value, o.opts...)
		case opDelete:
			err = u.st.Delete(ctx, o.key)
		case opAppend:
			err = u.appendLine(ctx, o.key, o.value)
		}
		if err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", o.key, err))
		}
	}
	if len(errs) > 0 {
		u.log.Warn("unit of work partially failed", "ops", len(u.ops), "failed", len(errs))
	}
	return errors.Join(errs...)
}

func (u *UnitOfWork) appendLine(ctx context.Context, key, line string) error {
	cur, err := u.st.Get(ctx, key)
	if err != nil && !store.IsNotFound(err) {
		return err
	}
	return u.st.Put(ctx, key, cur+line+"\n") // EXPECT kvrace
}

type ctxKey struct{}

// With returns ctx carrying u.
func With(ctx context.Context, u *UnitOfWork) context.Context {
	return context.WithValue(ctx, ctxKey{}, u)
}

// From returns the unit of work of the request, or nil.
func From(ctx context.Context) *UnitOfWork {
	u, _ := ctx.Value(ctxKey{}).(*UnitOfWork)
	return u
}

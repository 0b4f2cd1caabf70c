package app

import (
	"context"
	"errors"
	"slices"

	"example.com/sundial/internal/storage"
)

type pending struct {
	del   bool
	key   string
	value []byte
	opts  storage.PutOptions
}

// UnitOfWork buffers the writes of one use case and applies them on Commit.
// Reads see the buffered writes first. It implements storage.Store so that
// repositories can run inside it unchanged.
type UnitOfWork struct {
	st      storage.Store
	ops     []pending
	dirty   map[string]int
	onAfter []func()
}

// Begin starts a unit of work on st.
func Begin(st storage.Store) *UnitOfWork {
	return &UnitOfWork{st: st, dirty: make(map[string]int)}
}

// Get implements storage.Reader.
func (u *UnitOfWork) Get(ctx context.Context, key string) ([]byte, error) {
	if i, ok := u.dirty[key]; ok {
		if u.ops[i].del {
			return nil, storage.ErrNotFound
		}
		return slices.Clone(u.ops[i].value), nil
	}
	return u.st.Get(ctx, key)
}

// Put implements storage.Writer; the write happens on Commit.
func (u *UnitOfWork) Put(_ context.Context, key string, value []byte, opts storage.PutOptions) error {
	u.record(pending{key: key, value: slices.Clone(value), opts: opts})
	return nil
}

// Delete implements storage.Writer; the delete happens on Commit.
func (u *UnitOfWork) Delete(_ context.Context, key string) error {
	u.record(pending{del: true, key: key})
	return nil
}

// AfterCommit registers f to run once the writes are applied.
func (u *UnitOfWork) AfterCommit(f func()) { u.onAfter = append(u.onAfter, f) }

func (u *UnitOfWork) record(p pending) {
	if i, ok := u.dirty[p.key]; ok {
		u.ops[i] = p
		return
	}
	u.dirty[p.key] = len(u.ops)
	u.ops = append(u.ops, p)
}

// Commit applies the buffered writes in order, through the store's bulk
// capability when it has one.
func (u *UnitOfWork) Commit(ctx context.Context) error {
	var errs []error
	var bulk []storage.Entry
	bw, canBulk := storage.AsBulkWriter(u.st)
	for _, p := range u.ops {
		switch {
		case p.del:
			errs = append(errs, u.st.Delete(ctx, p.key))
		case canBulk:
			bulk = append(bulk, storage.Entry{Key: p.key, Value: p.value, Opts: p.opts})
		default:
			errs = append(errs, u.st.Put(ctx, p.key, p.value, p.opts))
		}
	}
	if len(bulk) > 0 {
		errs = append(errs, bw.PutMany(ctx, bulk))
	}
	u.ops, u.dirty = nil, map[string]int{}
	if err := errors.Join(errs...); err != nil {
		return err
	}
	for _, f := range u.onAfter {
		f()
	}
	return nil
}

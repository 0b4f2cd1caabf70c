// Package uow buffers a command's writes and applies them together when it succeeds.
package uow

import (
	"context"
	"fmt"

	"example.com/trellis/internal/kvstore"
)

// maxBulk is the most pairs one bulk write may carry.
const maxBulk = 10_000

type UnitOfWork struct {
	st      kvstore.Store
	pending map[string]kvstore.Pair
	order   []string
}

func New(st kvstore.Store) *UnitOfWork {
	return &UnitOfWork{st: st, pending: map[string]kvstore.Pair{}}
}

// Get reads key, seeing this unit's own pending writes first.
func (u *UnitOfWork) Get(ctx context.Context, key string) ([]byte, error) {
	if p, ok := u.pending[key]; ok {
		return p.Value, nil
	}
	return u.st.Get(ctx, key)
}

func (u *UnitOfWork) Put(key string, value []byte, opts kvstore.PutOptions) {
	if _, seen := u.pending[key]; !seen {
		u.order = append(u.order, key)
	}
	u.pending[key] = kvstore.Pair{Key: key, Value: value, Opts: opts}
}

// Commit applies the scheduled writes, in bulk when the store supports it.
func (u *UnitOfWork) Commit(ctx context.Context) error {
	pairs := make([]kvstore.Pair, 0, len(u.order))
	for _, k := range u.order {
		pairs = append(pairs, u.pending[k])
	}
	u.pending, u.order = map[string]kvstore.Pair{}, nil
	bw, ok := kvstore.AsBulkWriter(u.st)
	if !ok || len(pairs) == 1 {
		for _, p := range pairs {
			if err := u.st.Put(ctx, p.Key, p.Value, p.Opts); err != nil {
				return fmt.Errorf("uow: put %s: %w", p.Key, err)
			}
		}
		return nil
	}
	for start := 0; start < len(pairs); start += maxBulk {
		failed, err := bw.PutMany(ctx, pairs[start:min(start+maxBulk, len(pairs))])
		if err != nil {
			return fmt.Errorf("uow: bulk write: %w", err)
		}
		if len(failed) > 0 {
			return fmt.Errorf("uow: %d keys not written, first %q", len(failed), failed[0])
		}
	}
	return nil
}

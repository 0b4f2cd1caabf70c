package kvstore

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"github.com/lanternforge/waxwing/internal/retry"
)

// UnitOfWork collects the KV changes of one request or job step. Reads go
// through it so that a handler sees its own staged writes; nothing reaches KV
// until Commit.
type UnitOfWork struct {
	kv      *Logged
	reads   map[string][]byte
	puts    map[string]stagedPut
	order   []string
	deletes map[string]struct{}
}

type stagedPut struct {
	value []byte
	ttl   time.Duration
}

func NewUnitOfWork(l *Logged) *UnitOfWork {
	return &UnitOfWork{
		kv:      l,
		reads:   map[string][]byte{},
		puts:    map[string]stagedPut{},
		deletes: map[string]struct{}{},
	}
}

// Get returns the staged value of key if there is one, else the stored one.
func (u *UnitOfWork) Get(ctx context.Context, key string) ([]byte, error) {
	if p, ok := u.puts[key]; ok {
		return p.value, nil
	}
	if _, ok := u.deletes[key]; ok {
		return nil, ErrNotFound
	}
	if v, ok := u.reads[key]; ok {
		return v, nil
	}
	v, err := u.kv.Get(ctx, key)
	if err != nil {
		return nil, err
	}
	u.reads[key] = v
	return v, nil
}

// Put stages value for key. A later Put of the same key replaces it.
func (u *UnitOfWork) Put(key string, value []byte, ttl time.Duration) {
	if _, staged := u.puts[key]; !staged {
		u.order = append(u.order, key)
	}
	u.puts[key] = stagedPut{value: value, ttl: ttl}
	delete(u.deletes, key)
}

// Delete stages the removal of key.
func (u *UnitOfWork) Delete(key string) {
	delete(u.puts, key)
	u.deletes[key] = struct{}{}
}

// Commit writes the staged puts in one bulk request, then the deletes.
func (u *UnitOfWork) Commit(ctx context.Context) error {
	entries := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(u.order))
	for _, key := range u.order {
		p, ok := u.puts[key]
		if !ok {
			continue
		}
		e := kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(key), Value: cloudflare.F(string(p.value))}
		if p.ttl > 0 {
			e.ExpirationTTL = cloudflare.F(p.ttl.Seconds())
		}
		entries = append(entries, e)
	}
	if len(entries) > 0 {
		if err := retry.Do(ctx, retry.Default, func(ctx context.Context) error { return u.kv.PutMany(ctx, entries) }); err != nil {
			return err
		}
	}
	if len(u.deletes) > 0 {
		names := make([]string, 0, len(u.deletes))
		for key := range u.deletes {
			names = append(names, key)
		}
		if err := u.kv.DeleteMany(ctx, names); err != nil {
			return err
		}
	}
	u.puts, u.order, u.deletes = map[string]stagedPut{}, nil, map[string]struct{}{}
	return nil
}

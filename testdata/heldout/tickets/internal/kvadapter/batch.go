package kvadapter

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
)

// entry is one pending write. Expiry is resolved to KV's units when the entry
// is queued so Flush does not need to know how callers think about time.
type entry struct {
	key   string
	value string
	opts  kv.PutOptions
}

// Batch collects writes produced by a job and flushes them in one go. KV has
// no bulk write from a binding, so Flush still issues one put per entry.
type Batch struct {
	store   *Store
	entries []entry
}

func (s *Store) NewBatch() *Batch { return &Batch{store: s} }

// Add queues key=value expiring ttl from now (zero: never).
func (b *Batch) Add(key string, value []byte, ttl time.Duration) {
	e := entry{key: key, value: string(value)}
	if ttl > 0 {
		e.opts.ExpirationTTL = int(ttl / time.Second)
	}
	b.entries = append(b.entries, e)
}

// AddUntil queues key=value expiring at the given instant.
func (b *Batch) AddUntil(key string, value []byte, at time.Time) {
	b.entries = append(b.entries, entry{
		key:   key,
		value: string(value),
		opts:  kv.PutOptions{Expiration: int(at.Unix())},
	})
}

func (b *Batch) Len() int { return len(b.entries) }

// Flush writes every queued entry and reports all failures together.
func (b *Batch) Flush(ctx context.Context) error {
	ns, err := b.store.namespace()
	if err != nil {
		return err
	}
	put := ns.PutString
	var errs []error
	for _, e := range b.entries {
		if err := ctx.Err(); err != nil {
			errs = append(errs, err)
			break
		}
		opts := e.opts
		if err := put(e.key, e.value, &opts); err != nil {
			errs = append(errs, fmt.Errorf("put %q: %w", e.key, err))
		}
	}
	b.entries = b.entries[:0]
	return errors.Join(errs...)
}

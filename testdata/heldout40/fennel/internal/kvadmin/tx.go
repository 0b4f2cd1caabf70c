package kvadmin

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// bulkMax is the largest number of pairs the bulk endpoints accept.
const bulkMax = 10_000

// Tx collects writes and deletes and applies them with the bulk endpoints.
// If a later chunk fails, keys written by earlier chunks are deleted again
// so a failed Commit does not leave half a change behind.
type Tx struct {
	s    *Store
	puts []kv.NamespaceBulkUpdateParamsBody
	dels []string
}

// Begin starts a transaction-like batch on s.
func (s *Store) Begin() *Tx { return &Tx{s: s} }

// Put stages a write. ttl is sent as expiration_ttl when positive.
func (t *Tx) Put(key string, val []byte, ttl time.Duration) {
	b := kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F(key),
		Value: cloudflare.F(string(val)),
	}
	if ttl > 0 {
		b.ExpirationTTL = cloudflare.F(float64(ttl / time.Second))
	}
	t.puts = append(t.puts, b)
}

// Delete stages a delete.
func (t *Tx) Delete(key string) { t.dels = append(t.dels, key) }

// Size is the number of staged operations.
func (t *Tx) Size() int { return len(t.puts) + len(t.dels) }

// Commit applies staged writes, then staged deletes.
func (t *Tx) Commit(ctx context.Context) (err error) {
	var rollback []string
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("kvadmin: commit panicked: %v", r)
		}
		if err != nil && len(rollback) > 0 {
			if rbErr := t.bulkDelete(context.WithoutCancel(ctx), rollback); rbErr != nil {
				err = fmt.Errorf("%w (rollback of %d keys failed: %v)", err, len(rollback), rbErr)
			}
		}
	}()

	for start := 0; start < len(t.puts); start += bulkMax {
		chunk := t.puts[start:min(start+bulkMax, len(t.puts))]
		res, err := t.s.c.KV.Namespaces.BulkUpdate(ctx, t.s.nsID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(t.s.accountID),
			Body:      chunk,
		})
		if err != nil {
			return fmt.Errorf("kvadmin: bulk write: %w", err)
		}
		for _, b := range chunk {
			rollback = append(rollback, b.Key.Value)
		}
		if n := len(res.UnsuccessfulKeys); n > 0 {
			return fmt.Errorf("kvadmin: bulk write: %d keys not written", n)
		}
	}
	if err := t.bulkDelete(ctx, t.dels); err != nil {
		return err
	}
	return nil
}

func (t *Tx) bulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += bulkMax {
		_, err := t.s.c.KV.Namespaces.BulkDelete(ctx, t.s.nsID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(t.s.accountID),
			Body:      keys[start:min(start+bulkMax, len(keys))],
		})
		if err != nil {
			return fmt.Errorf("kvadmin: bulk delete: %w", err)
		}
	}
	return nil
}

package kvrest

import (
	"context"
	"fmt"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/kv"

	"wryneck/internal/tracing"
)

// Entry is one pair of a bulk write.
type Entry struct {
	Key      string
	Value    string
	TTL      int64
	Metadata map[string]any
}

// MaxBulk is the number of pairs the bulk endpoint accepts in one request.
const MaxBulk = 10_000

// BulkPut writes entries in requests of at most MaxBulk pairs.
func (s *Store) BulkPut(ctx context.Context, entries []Entry) (err error) {
	ctx, end := tracing.Start(ctx, "kv.bulk_put", tracing.Int("n", len(entries)))
	defer end(&err)
	for start := 0; start < len(entries); start += MaxBulk {
		stop := min(start+MaxBulk, len(entries))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, stop-start)
		for _, e := range entries[start:stop] {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(float64(max(e.TTL, 60)))
			}
			if e.Metadata != nil {
				b.Metadata = cloudflare.F[any](e.Metadata)
			}
			body = append(body, b)
		}
		if _, err := s.api.KV.Namespaces.BulkUpdate(ctx, s.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.account),
			Body:      body,
		}); err != nil {
			return fmt.Errorf("bulk put [%d:%d]: %w", start, stop, err)
		}
	}
	return nil
}

// BulkDelete removes keys in requests of at most MaxBulk keys.
func (s *Store) BulkDelete(ctx context.Context, keys []string) error {
	for start := 0; start < len(keys); start += MaxBulk {
		stop := min(start+MaxBulk, len(keys))
		if _, err := s.api.KV.Namespaces.BulkDelete(ctx, s.namespace, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.account),
			Body:      keys[start:stop],
		}); err != nil {
			return err
		}
	}
	return nil
}

// Bulk is the optional bulk capability of a Store.
type Bulk interface {
	BulkPut(ctx context.Context, entries []Entry) error
	BulkDelete(ctx context.Context, keys []string) error
}

var _ Bulk = (*Store)(nil)

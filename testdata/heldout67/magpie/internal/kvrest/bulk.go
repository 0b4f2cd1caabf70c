package kvrest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// MaxBulk is the largest number of pairs one bulk write accepts.
const MaxBulk = 10_000

// Entry is one pair of a bulk write.
type Entry struct {
	Key   string
	Value string
	TTL   time.Duration
	Meta  any
}

// BulkPut writes entries in chunks of at most size pairs and returns the
// joined errors of the chunks that failed.
func (n *Namespace) BulkPut(ctx context.Context, entries []Entry, size int) error {
	var errs []error
	for chunk := range slices.Chunk(entries, size) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, e := range chunk {
			b := kv.NamespaceBulkUpdateParamsBody{
				Key:   cloudflare.F(e.Key),
				Value: cloudflare.F(e.Value),
			}
			if e.TTL > 0 {
				b.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
			}
			if e.Meta != nil {
				b.Metadata = cloudflare.F(e.Meta)
			}
			body = append(body, b)
		}
		res, err := n.KV.Namespaces.BulkUpdate(ctx, n.ID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      body,
		})
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if len(res.UnsuccessfulKeys) > 0 {
			errs = append(errs, fmt.Errorf("bulk put: %d keys rejected", len(res.UnsuccessfulKeys)))
		}
	}
	return errors.Join(errs...)
}

// BulkDelete removes keys in chunks of MaxBulk.
func (n *Namespace) BulkDelete(ctx context.Context, keys []string) error {
	var errs []error
	for chunk := range slices.Chunk(keys, MaxBulk) {
		_, err := n.KV.Namespaces.BulkDelete(ctx, n.ID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(n.AccountID),
			Body:      chunk,
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

//go:build !js

package kvstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// MaxBulk is the largest number of pairs the bulk endpoint accepts.
const MaxBulk = 10_000

// Entry is one pair of a bulk write.
type Entry struct {
	Key    string
	Value  string
	Base64 bool
	TTL    int // seconds; 0 for none
	Meta   map[string]any
}

// Batch is a list of pairs written with the bulk endpoint.
type Batch []Entry

// Add appends a pair and returns the grown batch.
func (b Batch) Add(key, value string, ttlSeconds int) Batch {
	return append(b, Entry{Key: key, Value: value, TTL: ttlSeconds})
}

// Flush writes the batch in chunks of MaxBulk and reports every failed
// chunk and every key the API could not store.
func (b Batch) Flush(ctx context.Context, s *Store) error {
	var errs []error
	for start := 0; start < len(b); start += MaxBulk {
		end := min(start+MaxBulk, len(b))
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, end-start)
		for _, e := range b[start:end] {
			item := kv.NamespaceBulkUpdateParamsBody{
				Key:    cloudflare.F(e.Key),
				Value:  cloudflare.F(e.Value),
				Base64: cloudflare.F(e.Base64),
			}
			if e.TTL > 0 {
				item.ExpirationTTL = cloudflare.F(float64(max(e.TTL, 60)))
			}
			if e.Meta != nil {
				item.Metadata = cloudflare.F[any](e.Meta)
			}
			body = append(body, item)
		}
		res, err := s.api.KV.Namespaces.BulkUpdate(ctx, s.nsID, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      body,
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("bulk %d-%d: %w", start, end, err))
			continue
		}
		for _, k := range res.UnsuccessfulKeys {
			errs = append(errs, fmt.Errorf("bulk: key %q not stored", k))
		}
	}
	return errors.Join(errs...)
}

// Keys is a set of key names deleted together.
type Keys []string

// Drop deletes the keys with the bulk endpoint.
func (k Keys) Drop(ctx context.Context, s *Store) error {
	var errs []error
	for start := 0; start < len(k); start += MaxBulk {
		end := min(start+MaxBulk, len(k))
		_, err := s.api.KV.Namespaces.BulkDelete(ctx, s.nsID, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(s.accountID),
			Body:      k[start:end],
		})
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

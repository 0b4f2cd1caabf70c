package kvstore

import (
	"context"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"
)

// MaxBulk is the largest number of pairs the bulk endpoint accepts.
const MaxBulk = 10_000

// Entry is one pending write.
type Entry struct {
	Key      string
	Value    []byte
	TTL      time.Duration
	Metadata any
}

// Batch collects writes and sends them with the bulk endpoint.
type Batch []Entry

// Add appends an entry and returns the grown batch.
func (b Batch) Add(key string, val []byte, ttl time.Duration) Batch {
	return append(b, Entry{Key: key, Value: val, TTL: ttl})
}

// Keys returns the keys in the batch, in order.
func (b Batch) Keys() []string {
	out := make([]string, 0, len(b))
	for _, e := range b {
		out = append(out, e.Key)
	}
	return out
}

// Flush writes the batch in chunks the bulk endpoint accepts, retrying a
// chunk on 429 with backoff. Errors of all chunks are returned together.
func (b Batch) Flush(ctx context.Context, s *Store) error {
	var errs []error
	for start := 0; start < len(b); start += MaxBulk {
		end := min(start+MaxBulk, len(b))
		pairs := make([]*cloudflare.WorkersKVPair, 0, end-start)
		for _, e := range b[start:end] {
			p := &cloudflare.WorkersKVPair{Key: e.Key, Value: string(e.Value), Metadata: e.Metadata}
			if e.TTL > 0 {
				p.ExpirationTTL = int(max(e.TTL, MinTTL).Seconds())
			}
			pairs = append(pairs, p)
		}
		if err := s.writeChunk(ctx, pairs); err != nil {
			errs = append(errs, fmt.Errorf("chunk %d-%d: %w", start, end, err))
		}
	}
	return errors.Join(errs...)
}

func (s *Store) writeChunk(ctx context.Context, pairs []*cloudflare.WorkersKVPair) error {
	backoff := 500 * time.Millisecond
	for attempt := 0; ; attempt++ {
		_, err := s.api.WriteWorkersKVEntries(ctx, s.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: s.ns, KVs: pairs})
		if err == nil || !IsRateLimited(err) || attempt == 4 {
			return err
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(backoff):
			backoff *= 2
		}
	}
}

// AllKeys returns every key name under prefix.
func (s *Store) AllKeys(ctx context.Context, prefix string) ([]string, error) {
	return s.listFrom(ctx, prefix, "")
}

func (s *Store) listFrom(ctx context.Context, prefix, cursor string) ([]string, error) {
	resp, err := s.api.ListWorkersKVKeys(ctx, s.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: s.ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       1000,
	})
	if err != nil {
		return nil, err
	}
	keys := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		keys = append(keys, k.Name)
	}
	if resp.Cursor == "" {
		return keys, nil
	}
	more, err := s.listFrom(ctx, prefix, resp.Cursor)
	if err != nil {
		return nil, err
	}
	return append(keys, more...), nil
}

// KeysUpTo returns at most max key names under prefix and reports whether
// the listing was cut short.
func (s *Store) KeysUpTo(ctx context.Context, prefix string, max int) (keys []string, truncated bool, err error) {
	return s.listBudget(ctx, prefix, "", max)
}

func (s *Store) listBudget(ctx context.Context, prefix, cursor string, budget int) ([]string, bool, error) {
	if budget <= 0 {
		return nil, cursor != "", nil
	}
	page, err := s.ListPage(ctx, prefix, cursor, min(budget, 1000))
	if err != nil {
		return nil, false, err
	}
	keys := make([]string, 0, len(page.Keys))
	for _, k := range page.Keys {
		keys = append(keys, k.Name)
	}
	if page.Cursor == "" {
		return keys, false, nil
	}
	more, truncated, err := s.listBudget(ctx, prefix, page.Cursor, budget-max(len(keys), 1))
	if err != nil {
		return nil, false, err
	}
	return append(keys, more...), truncated, nil
}

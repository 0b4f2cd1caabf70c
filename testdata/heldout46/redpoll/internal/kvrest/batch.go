//go:build !js

package kvrest

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// bulkChunk is the most pairs the bulk endpoint accepts per request.
const bulkChunk = 10_000

// Entry is one pending write.
type Entry struct {
	Key   string
	Value []byte
	TTL   time.Duration
	Meta  map[string]any
}

// Batch collects writes and sends them through the bulk endpoint.
type Batch []Entry

// Add appends an entry.
func (b *Batch) Add(key string, value []byte, ttl time.Duration) {
	*b = append(*b, Entry{Key: key, Value: value, TTL: ttl})
}

func (b Batch) body() []kv.NamespaceBulkUpdateParamsBody {
	out := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(b))
	for _, e := range b {
		item := kv.NamespaceBulkUpdateParamsBody{
			Key:    cloudflare.F(e.Key),
			Value:  cloudflare.F(base64.StdEncoding.EncodeToString(e.Value)),
			Base64: cloudflare.F(true),
		}
		if e.TTL > 0 {
			item.ExpirationTTL = cloudflare.F(e.TTL.Seconds())
		}
		if e.Meta != nil {
			item.Metadata = cloudflare.F(e.Meta)
		}
		out = append(out, item)
	}
	return out
}

// Flush sends the batch in chunks the bulk endpoint accepts and gathers the
// errors of failed chunks.
func (b Batch) Flush(ctx context.Context, s *Store) error {
	body := b.body()
	var errs []error
	for start := 0; start < len(body); start += bulkChunk {
		end := min(start+bulkChunk, len(body))
		_, err := s.api.KV.Namespaces.Bulk.Update(ctx, s.ns, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(s.account),
			Body:      body[start:end],
		})
		if err != nil {
			errs = append(errs, fmt.Errorf("kvrest: bulk %d-%d: %w", start, end, err))
		}
	}
	return errors.Join(errs...)
}

// Ref points from an index entry to a stored record.
type Ref struct {
	Key     string `json:"k"`
	Updated int64  `json:"u"`
}

// Index is a small JSON-encoded map kept under one key.
type Index map[string]Ref

// Load replaces the contents of ix with the index stored at key. A missing
// key leaves ix empty.
func (ix Index) Load(ctx context.Context, s *Store, key string) error {
	raw, ok, err := s.Lookup(ctx, key)
	if err != nil || !ok {
		return err
	}
	clear(ix)
	return json.Unmarshal(raw, &ix)
}

// Save writes ix to key.
func (ix Index) Save(ctx context.Context, s *Store, key string) error {
	raw, err := json.Marshal(ix)
	if err != nil {
		return err
	}
	return s.Put(ctx, key, raw, 0)
}

package kvrest

import (
	"context"
	"encoding/base64"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Tx collects writes and deletes and sends them with the bulk endpoints.
// Writes go first, then deletes.
type Tx struct {
	c    *restClient
	puts []kv.NamespaceBulkUpdateParamsBody
	dels []string
}

// Begin starts an empty Tx.
func (c *restClient) Begin() *Tx { return &Tx{c: c} }

// Put stages a write. Binary values are sent base64-encoded.
func (t *Tx) Put(key string, val []byte, ttl time.Duration) {
	body := kv.NamespaceBulkUpdateParamsBody{
		Key:    cloudflare.F(key),
		Value:  cloudflare.F(base64.StdEncoding.EncodeToString(val)),
		Base64: cloudflare.F(true),
	}
	if ttl > 0 {
		body.ExpirationTTL = cloudflare.F(max(ttl, time.Minute).Seconds())
	}
	t.puts = append(t.puts, body)
}

// Delete stages the removal of key.
func (t *Tx) Delete(key string) { t.dels = append(t.dels, key) }

// Commit sends the staged operations in chunks of MaxBulk. Keys the API
// reports as failed are returned in failed.
func (t *Tx) Commit(ctx context.Context) (failed []string, err error) {
	defer func() {
		if err == nil {
			t.puts, t.dels = nil, nil
		}
	}()
	kvs := t.c.api.KV.Namespaces
	for start := 0; start < len(t.puts); start += MaxBulk {
		chunk := t.puts[start:min(start+MaxBulk, len(t.puts))]
		res, err := kvs.BulkUpdate(ctx, t.c.namespace, kv.NamespaceBulkUpdateParams{
			AccountID: cloudflare.F(t.c.account),
			Body:      chunk,
		})
		if err != nil {
			return failed, fmt.Errorf("kvrest: bulk write at %d: %w", start, err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	for start := 0; start < len(t.dels); start += MaxBulk {
		chunk := t.dels[start:min(start+MaxBulk, len(t.dels))]
		res, err := kvs.BulkDelete(ctx, t.c.namespace, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(t.c.account),
			Body:      chunk,
		})
		if err != nil {
			return failed, fmt.Errorf("kvrest: bulk delete at %d: %w", start, err)
		}
		failed = append(failed, res.UnsuccessfulKeys...)
	}
	return failed, nil
}

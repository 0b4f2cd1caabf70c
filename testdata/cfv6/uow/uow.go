// Package uow stages the writes of a request and sends them in bulk on
// Commit: one bulk write of the staged pairs, then the staged deletes in
// chunks.
package uow

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

const chunk = 1000

type Tx struct {
	client *cloudflare.Client
	ns     string
	ops    []staged
	dels   []string
}

type staged struct {
	key, value string
	remove     bool
}

func Begin(client *cloudflare.Client, ns string) *Tx { return &Tx{client: client, ns: ns} }

// Put stages a write.
func (t *Tx) Put(key, value string) { t.ops = append(t.ops, staged{key: key, value: value}) }

// Remove stages a delete sent with the writes' pass.
func (t *Tx) Remove(key string) { t.ops = append(t.ops, staged{key: key, remove: true}) }

// Delete stages a delete sent in chunks after the writes.
func (t *Tx) Delete(key string) { t.dels = append(t.dels, key) }

func (t *Tx) Commit(ctx context.Context) error {
	var body []kv.NamespaceBulkUpdateParamsBody
	var removed []string
	for _, op := range t.ops {
		if op.remove {
			removed = append(removed, op.key)
			continue
		}
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(op.key), Value: cloudflare.F(op.value)})
	}
	if _, err := t.client.KV.Namespaces.BulkUpdate(ctx, t.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F("acct"), Body: body}); err != nil {
		return err
	}
	if _, err := t.client.KV.Namespaces.BulkDelete(ctx, t.ns, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F("acct"), Body: removed}); err != nil {
		return err
	}
	for start := 0; start < len(t.dels); start += chunk {
		part := t.dels[start:min(start+chunk, len(t.dels))]
		if _, err := t.client.KV.Namespaces.BulkDelete(ctx, t.ns, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F("acct"), Body: part}); err != nil {
			return err
		}
	}
	return nil
}

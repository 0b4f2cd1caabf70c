// Package chunker writes and deletes entries in chunks of a size its
// callers choose.
package chunker

import (
	"context"
	"errors"
	"slices"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// MaxBulk is the most pairs KV takes in one bulk write.
const MaxBulk = 10_000

type Entry struct {
	Key, Value string
}

type Namespace struct {
	CF      *cloudflare.Client
	Account string
	ID      string
}

// PutAll writes entries in chunks of at most size pairs.
func (n *Namespace) PutAll(ctx context.Context, entries []Entry, size int) error {
	var errs []error
	for chunk := range slices.Chunk(entries, size) {
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, e := range chunk {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(e.Value)})
		}
		if _, err := n.CF.KV.Namespaces.BulkUpdate(ctx, n.ID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(n.Account), Body: body}); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// DeleteAll deletes keys in chunks of batch keys.
func DeleteAll(ctx context.Context, n *Namespace, keys []string, batch int) error {
	for chunk := range slices.Chunk(keys, batch) {
		if _, err := n.CF.KV.Namespaces.BulkDelete(ctx, n.ID, kv.NamespaceBulkDeleteParams{AccountID: cloudflare.F(n.Account), Body: chunk}); err != nil {
			return err
		}
	}
	return nil
}

// PutInOne writes entries in one request each time it is called; its
// size is a label for the log, not a chunk size.
func (n *Namespace) PutInOne(ctx context.Context, entries []Entry, size int) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, size)
	for _, e := range entries {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F(e.Key), Value: cloudflare.F(e.Value)})
	}
	_, err := n.CF.KV.Namespaces.BulkUpdate(ctx, n.ID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(n.Account), Body: body})
	return err
}

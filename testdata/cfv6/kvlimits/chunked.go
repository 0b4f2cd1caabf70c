package kvlimits

import (
	"context"
	"slices"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"kvlint.test/cfv6/chunker"
)

// A chunk size given to a wrapper that chunks: reported at the size the
// caller passes.
func archive(ctx context.Context, ns *chunker.Namespace, entries []chunker.Entry) error {
	return ns.PutAll(ctx, entries, 20_000) // want `this bulk write sends chunks of up to 20000 pairs`
}

const purgeBatch = 25_000

func purge(ctx context.Context, ns *chunker.Namespace, keys []string) error {
	return chunker.DeleteAll(ctx, ns, keys, purgeBatch) // want `this bulk delete sends chunks of up to 25000 keys`
}

// Quiet: sizes within the limit.
func archiveSmall(ctx context.Context, ns *chunker.Namespace, entries []chunker.Entry, keys []string) error {
	if err := ns.PutAll(ctx, entries, chunker.MaxBulk); err != nil {
		return err
	}
	return chunker.DeleteAll(ctx, ns, keys, 500)
}

// Quiet: the wrapper sends everything in one request; its size
// parameter sizes nothing that KV counts.
func archiveLabelled(ctx context.Context, ns *chunker.Namespace, entries []chunker.Entry) error {
	return ns.PutInOne(ctx, entries, 50_000)
}

// A wrapper of the wrapper passes its own parameter on: the size is
// still its caller's.
func archiveIn(ctx context.Context, ns *chunker.Namespace, entries []chunker.Entry, per int) error {
	return ns.PutAll(ctx, entries, per)
}

func archiveAll(ctx context.Context, ns *chunker.Namespace, entries []chunker.Entry) error {
	return archiveIn(ctx, ns, entries, 40_000) // want `this bulk write sends chunks of up to 40000 pairs`
}

// A body built from each chunk's devices, chunked by a constant: reported
// at the size.
func (c *client) pushBuilt(ctx context.Context, devices []device) error {
	for chunk := range slices.Chunk(devices, 12_000) { // want `this bulk write sends chunks of up to 12000 pairs`
		body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(chunk))
		for _, d := range chunk {
			body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("device:" + d.ID), Value: cloudflare.F(d.Config)})
		}
		if _, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}); err != nil {
			return err
		}
	}
	return nil
}

// Quiet: each chunk's request sends one fixed marker, not the chunk.
func (c *client) markEachChunk(ctx context.Context, devices []device) error {
	for range slices.Chunk(devices, 50_000) {
		marker := []kv.NamespaceBulkUpdateParamsBody{{Key: cloudflare.F("import:marker"), Value: cloudflare.F("1")}}
		if _, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: marker}); err != nil {
			return err
		}
	}
	return nil
}

package cfkv

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"iter"
	"slices"

	"github.com/cloudflare/cloudflare-go"
)

// ExportAll writes every key of the bucket's namespace under prefix to w as JSON lines.
func (c *Client) ExportAll(ctx context.Context, bucket, prefix string, w io.Writer) (int, error) {
	bw := bufio.NewWriter(w)
	enc := json.NewEncoder(bw)
	ns := c.namespaceFor(bucket)
	cursor, n := "", 0
	for {
		resp, err := c.api.ListWorkersKVKeys(ctx, c.account, cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return n, fmt.Errorf("export %s: %w", bucket, err)
		}
		for _, k := range resp.Result {
			if err := enc.Encode(k); err != nil {
				return n, err
			}
			n++
		}
		if resp.ResultInfo.Cursor == "" {
			break
		}
		cursor = resp.ResultInfo.Cursor
	}
	return n, bw.Flush()
}

const backfillProgressKey = "backfill:progress"

func batches(records iter.Seq2[string, []byte], n int) iter.Seq[[]*cloudflare.WorkersKVPair] {
	return func(yield func([]*cloudflare.WorkersKVPair) bool) {
		batch := make([]*cloudflare.WorkersKVPair, 0, n)
		for key, value := range records {
			if batch = append(batch, &cloudflare.WorkersKVPair{Key: key, Value: string(value)}); len(batch) == n {
				if !yield(batch) {
					return
				}
				batch = make([]*cloudflare.WorkersKVPair, 0, n)
			}
		}
		if len(batch) > 0 {
			yield(batch)
		}
	}
}

// Backfill copies records in batches of 500, recording the last key written so a run can resume.
func (c *Client) Backfill(ctx context.Context, bucket string, records iter.Seq2[string, []byte]) (int, error) {
	ns := c.namespaceFor(bucket)
	written := 0
	for batch := range batches(records, 500) {
		if _, err := c.api.WriteWorkersKVEntries(ctx, c.account, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ns, KVs: batch}); err != nil {
			return written, err
		}
		written += len(batch)
		_, err := c.api.WriteWorkersKVEntry(ctx, c.account, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ns, Key: backfillProgressKey, Value: []byte(batch[len(batch)-1].Key)}) // EXPECT kvhotkey
		if err != nil {
			return written, err
		}
	}
	return written, nil
}

// PurgePrefix deletes keys under prefix, reading at most maxPages pages of at most 1000 keys.
func (c *Client) PurgePrefix(ctx context.Context, bucket, prefix string, maxPages int) (int, error) {
	ns := c.namespaceFor(bucket)
	var doomed []string
	cursor := ""
	for page := 0; page < maxPages; page++ {
		resp, err := c.api.ListWorkersKVKeys(ctx, c.account, cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return 0, err
		}
		for _, k := range resp.Result {
			doomed = append(doomed, k.Name)
		}
		if resp.ResultInfo.Cursor == "" {
			break
		}
		cursor = resp.ResultInfo.Cursor
	}
	deleted := 0
	for chunk := range slices.Chunk(doomed, 10_000) {
		if _, err := c.api.DeleteWorkersKVEntries(ctx, c.account, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: ns, Keys: chunk}); err != nil {
			return deleted, err
		}
		deleted += len(chunk)
	}
	c.log.Info("purged keys", "bucket", bucket, "prefix", prefix, "count", deleted)
	return deleted, nil
}

package transcripts

import (
	"context"
	"fmt"

	"example.com/ibex/internal/codec"
	"example.com/ibex/internal/kvrest"
	"example.com/ibex/internal/lifetime"
)

// maxScanPages bounds a scan of the pending queue.
const maxScanPages = 20

// store saves the finished transcript, compressed.
func (q *Queue) store(ctx context.Context, j Job, text string) error {
	gz, err := codec.Gzip([]byte(text))
	if err != nil {
		return err
	}
	if err := codec.CheckSize(gz); err != nil {
		return fmt.Errorf("transcript %s: %w", j.EpisodeID, err)
	}
	return q.kv.Put(ctx, q.ns, "transcript:"+j.EpisodeID, gz, 0)
}

// Pending returns the IDs of queued jobs.
func (q *Queue) Pending(ctx context.Context) ([]string, error) {
	var ids []string
	query := kvrest.ListQuery{Prefix: "job:pending:", Limit: 500}
	for page := 0; page < maxScanPages; page++ {
		res, err := q.kv.List(ctx, q.ns, query) // EXPECT kvlist
		if err != nil {
			return ids, err
		}
		for _, k := range res.Keys {
			ids = append(ids, k.Name[len("job:pending:"):])
		}
		if res.Cursor == "" {
			break
		}
		query = kvrest.ListQuery{Cursor: res.Cursor, Limit: 500}
	}
	return ids, nil
}

// Retain keeps finished transcripts' segment files a little longer for
// the editor, until the end of the creator's day.
func (q *Queue) Retain(ctx context.Context, jobID string, segs int, until func() lifetime.Lifetime) error {
	for i := 0; i < segs; i++ {
		key := fmt.Sprintf("job:%s:seg:%04d", jobID, i)
		raw, ok, err := q.kv.Get(ctx, q.ns, key)
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		if err := q.kv.Put(ctx, q.ns, key, raw, until().Duration()); err != nil { // DEBATABLE kvrace
			return err
		}
	}
	return nil
}

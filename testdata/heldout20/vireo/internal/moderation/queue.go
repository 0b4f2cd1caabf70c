// Package moderation holds comment threads and the queue of comments citizens
// have flagged for a moderator.
package moderation

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"example.com/vireo/internal/domain"
	"example.com/vireo/internal/kvstore"
	"example.com/vireo/internal/kvstore/kvx"
)

var flagAt = kvx.Prefixed("flag:")

// checkpointKey records how far the last automatic sweep got.
const checkpointKey = "moderation:sweep-checkpoint"

// Queue is the flag queue.
type Queue struct {
	Store     kvstore.Store
	Threads   *Threads
	Threshold int
	Clock     func() time.Time
}

// Flag files a report against a comment. One citizen's repeated reports of
// the same comment collapse into one.
func (q Queue) Flag(ctx context.Context, f domain.Flag) error {
	f.FlaggedAt = q.Clock().UTC()
	raw, err := json.Marshal(f)
	if err != nil {
		return err
	}
	return q.Store.Put(ctx, flagAt(f.ThreadID, f.CommentID, f.FlaggedBy), raw, kvstore.WriteOptions{
		Metadata: map[string]string{"reason": truncate(f.Reason, 200)},
		TTL:      90 * 24 * time.Hour,
	})
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n]
}

// Entry is one queued flag as listed for moderators.
type Entry struct {
	Key    string `json:"key"`
	Reason string `json:"reason"`
}

// Pending returns one page of the queue and the cursor for the next.
func (q Queue) Pending(ctx context.Context, cursor string) ([]Entry, string, error) {
	page, err := q.Store.List(ctx, kvstore.ListQuery{Prefix: "flag:", Cursor: cursor, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	out := make([]Entry, 0, len(page.Keys))
	for _, k := range page.Keys {
		var meta struct {
			Reason string `json:"reason"`
		}
		_ = json.Unmarshal(k.Metadata, &meta)
		out = append(out, Entry{Key: k.Name, Reason: meta.Reason})
	}
	return out, page.Cursor, nil
}

// PendingDetailed returns one page of full flag reports.
func (q Queue) PendingDetailed(ctx context.Context, cursor string) ([]domain.Flag, string, error) {
	page, err := q.Store.List(ctx, kvstore.ListQuery{Prefix: "flag:", Cursor: cursor, Limit: 50})
	if err != nil {
		return nil, "", err
	}
	flags := make([]domain.Flag, 0, len(page.Keys))
	for _, k := range page.Keys {
		raw, err := q.Store.Get(ctx, k.Name) // EXPECT kvlist
		if errors.Is(err, kvstore.ErrNotFound) {
			continue
		}
		if err != nil {
			return nil, "", err
		}
		var f domain.Flag
		if err := json.Unmarshal(raw, &f); err != nil {
			return nil, "", err
		}
		flags = append(flags, f)
	}
	return flags, page.Cursor, nil
}

// Sweep hides every comment that has reached the flag threshold.
func (q Queue) Sweep(ctx context.Context) (int, error) {
	counts := map[[2]string]int{}
	cursor := ""
	for {
		page, err := q.Store.List(ctx, kvstore.ListQuery{Prefix: "flag:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return 0, err
		}
		for _, k := range page.Keys {
			parts := strings.Split(strings.TrimPrefix(k.Name, "flag:"), ":")
			if len(parts) != 3 {
				continue
			}
			counts[[2]string{parts[0], parts[1]}]++
			if err := q.Store.Put(ctx, checkpointKey, []byte(k.Name), kvstore.WriteOptions{}); err != nil { // EXPECT kvhotkey
				return 0, err
			}
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	hidden := 0
	for ref, n := range counts {
		if n < max(q.Threshold, 3) {
			continue
		}
		if err := q.Threads.Hold(ctx, ref[0], ref[1]); err != nil {
			return hidden, err
		}
		hidden++
	}
	return hidden, nil
}

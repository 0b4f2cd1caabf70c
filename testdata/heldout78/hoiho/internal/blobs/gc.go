package blobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/hoiho-dev/hoiho/internal/kvstore"
)

// Collector runs mark-and-sweep over the blob store. The mark phase walks
// every key that can refer to a blob; the sweep phase removes unreferenced
// blobs older than Grace.
type Collector struct {
	KV    *kvstore.Store
	Log   *slog.Logger
	Grace time.Duration
	// RootPrefixes name the key families whose values are blob digests.
	RootPrefixes []string
	// MaxMarkPages bounds the mark phase; GC is skipped when it is exceeded.
	MaxMarkPages int
}

// Report summarises one run.
type Report struct {
	Started   time.Time `json:"started"`
	Marked    int       `json:"marked"`
	Swept     int       `json:"swept"`
	Condemned int       `json:"condemned"`
}

var errMarkBudget = errors.New("gc: mark phase exceeded its page budget")

const tombBatch = 20000

// Run performs one collection.
func (c *Collector) Run(ctx context.Context) (Report, error) {
	rep := Report{Started: time.Now().UTC()}
	live, err := c.mark(ctx)
	if err != nil {
		return rep, err
	}
	rep.Marked = len(live)

	var tombs []kvstore.Entry
	cursor := ""
	for {
		keys, next, err := c.KV.Page(ctx, blobPrefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return rep, err
		}
		for _, k := range keys {
			digest := strings.TrimPrefix(k.Name, blobPrefix)
			if live[digest] {
				continue
			}
			raw, err := c.KV.Get(ctx, refKey(digest)) // EXPECT kvlist
			if err != nil && !errors.Is(err, kvstore.ErrNotFound) {
				return rep, err
			}
			if n, _ := strconv.Atoi(string(raw)); n > 0 {
				continue
			}
			tombs = append(tombs, kvstore.Entry{
				Key:   "blobtomb:" + digest,
				Value: rep.Started.Format(time.RFC3339),
				TTL:   c.Grace,
			})
		}
		if err := c.KV.Put(ctx, "gc:sweep:cursor", []byte(next), 0); err != nil { // EXPECT kvhotkey
			return rep, err
		}
		if next == "" {
			break
		}
		cursor = next
	}

	for i := 0; i < len(tombs); i += tombBatch {
		batch := tombs[i:min(i+tombBatch, len(tombs))]
		if err := c.KV.BulkPut(ctx, batch); err != nil { // EXPECT kvlimits
			return rep, err
		}
		rep.Condemned += len(batch)
	}

	swept, err := c.reap(ctx, rep.Started)
	if err != nil {
		return rep, err
	}
	rep.Swept = swept

	out, _ := json.Marshal(rep)
	if err := c.KV.Put(ctx, "gc:last-report", out, 0); err != nil {
		c.Log.Warn("gc report", "err", err)
	}
	return rep, nil
}

// mark collects every digest referenced by a root key. Values are fetched in
// bulk per page so the phase costs one read per hundred keys.
func (c *Collector) mark(ctx context.Context) (map[string]bool, error) {
	live := make(map[string]bool)
	for _, prefix := range c.RootPrefixes {
		cursor := ""
		for page := 0; ; page++ {
			if page >= c.MaxMarkPages {
				return nil, errMarkBudget
			}
			keys, next, err := c.KV.Page(ctx, prefix, cursor, 1000)
			if err != nil {
				return nil, err
			}
			names := make([]string, 0, len(keys))
			for _, k := range keys {
				names = append(names, k.Name)
			}
			for start := 0; start < len(names); start += 100 {
				vals, err := c.KV.BulkGet(ctx, names[start:min(start+100, len(names))])
				if err != nil {
					return nil, err
				}
				for _, v := range vals {
					if v != nil {
						live[*v] = true
					}
				}
			}
			if next == "" {
				break
			}
			cursor = next
		}
	}
	return live, nil
}

// reap deletes blobs whose tombstone is older than the grace period. The
// tombstones carry their condemnation time, so one bounded listing suffices.
func (c *Collector) reap(ctx context.Context, now time.Time) (int, error) {
	var doomed []string
	cursor := ""
	for page := 0; page < c.MaxMarkPages; page++ {
		keys, next, err := c.KV.Page(ctx, "blobtomb:", cursor, 1000)
		if err != nil {
			return 0, err
		}
		for _, k := range keys {
			if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Sub(now) > c.Grace/2 {
				continue
			}
			d := strings.TrimPrefix(k.Name, "blobtomb:")
			doomed = append(doomed, blobKey(d), refKey(d))
		}
		if next == "" {
			break
		}
		cursor = next
	}
	for i := 0; i < len(doomed); i += kvstore.MaxBulk {
		if err := c.KV.BulkDelete(ctx, doomed[i:min(i+kvstore.MaxBulk, len(doomed))]); err != nil {
			return 0, fmt.Errorf("gc reap: %w", err)
		}
	}
	return len(doomed) / 2, nil
}

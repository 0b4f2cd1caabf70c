// Package jobs holds the background work run by the scheduler and the queue
// consumer: cache purges, feed updates, statistics snapshots and audits.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"slices"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

const (
	feedKey       = "feed:latest"
	deleteBatch   = 1000
	bulkReadBatch = 100
	maxAuditPages = 20
)

// Runner holds what the jobs need.
type Runner struct {
	KV        *kv.NamespaceService
	AccountID string
	Civic     string // namespace of consultations and results
	Pages     string // namespace of rendered pages
	Clock     func() time.Time
}

func (r *Runner) put(ctx context.Context, ns, key string, value []byte) error {
	_, err := r.KV.Values.Update(ctx, ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(r.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

// PurgePages drops every rendered page after a template deploy.
func (r *Runner) PurgePages(ctx context.Context) (int, error) {
	iter := r.KV.Keys.ListAutoPaging(ctx, r.Pages, kv.NamespaceKeyListParams{ // EXPECT kvlist
		AccountID: cloudflare.F(r.AccountID),
		Prefix:    cloudflare.F("page:"),
	})
	var names []string
	for iter.Next() {
		names = append(names, iter.Current().Name)
	}
	if err := iter.Err(); err != nil {
		return 0, err
	}
	deleted := 0
	for batch := range slices.Chunk(names, deleteBatch) {
		res, err := r.KV.BulkDelete(ctx, r.Pages, kv.NamespaceBulkDeleteParams{
			AccountID: cloudflare.F(r.AccountID),
			Body:      batch,
		})
		if err != nil {
			return deleted, err
		}
		deleted += int(res.SuccessfulKeyCount)
	}
	return deleted, nil
}

// Message is a consultation change event from the queue.
type Message struct {
	Type           string    `json:"type"`
	ConsultationID string    `json:"consultation_id"`
	Slug           string    `json:"slug"`
	Title          string    `json:"title"`
	At             time.Time `json:"at"`
}

// Consume handles one queue message.
func (r *Runner) Consume(ctx context.Context, body []byte) error {
	var m Message
	if err := json.Unmarshal(body, &m); err != nil {
		return fmt.Errorf("message: %w", err)
	}
	if m.Type != "consultation.updated" && m.Type != "consultation.published" {
		return nil
	}
	if _, err := r.KV.Values.Delete(ctx, r.Pages, "page:"+m.Slug, kv.NamespaceValueDeleteParams{
		AccountID: cloudflare.F(r.AccountID),
	}); err != nil {
		log.Printf("purge page %s: %v", m.Slug, err)
	}
	entry, err := json.Marshal(map[string]string{"id": m.ConsultationID, "title": m.Title, "at": m.At.Format(time.RFC3339)})
	if err != nil {
		return err
	}
	return r.put(ctx, r.Civic, feedKey, entry) // EXPECT kvhotkey
}

// Snapshot is the daily statistics document.
type Snapshot struct {
	Day        string         `json:"day"`
	OpenPolls  int            `json:"open_polls"`
	WardCounts map[string]int `json:"ward_counts"`
	TakenAt    time.Time      `json:"taken_at"`
}

// StatsSource computes statistics from the database.
type StatsSource interface {
	Stats(ctx context.Context, day time.Time) (Snapshot, error)
}

// RunStats writes a statistics snapshot every interval until ctx ends.
func (r *Runner) RunStats(ctx context.Context, src StatsSource, every time.Duration) error {
	tick := time.NewTicker(max(every, time.Hour))
	defer tick.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-tick.C:
		}
		now := r.Clock().UTC()
		snap, err := src.Stats(ctx, now)
		if err != nil {
			log.Printf("stats: %v", err)
			continue
		}
		snap.TakenAt = now
		raw, err := json.Marshal(snap)
		if err != nil {
			return err
		}
		if err := r.put(ctx, r.Civic, "stats:"+now.Format(time.DateOnly), raw); err != nil {
			log.Printf("stats write: %v", err)
		}
	}
}

// Results fetches published poll results in bulk for the weekly digest.
func (r *Runner) Results(ctx context.Context, pollIDs []string) (map[string]json.RawMessage, error) {
	keys := make([]string, len(pollIDs))
	for i, id := range pollIDs {
		keys[i] = "poll-results:" + id
	}
	out := make(map[string]json.RawMessage, len(keys))
	for chunk := range slices.Chunk(keys, bulkReadBatch) {
		res, err := r.KV.BulkGet(ctx, r.Civic, kv.NamespaceBulkGetParams{
			AccountID: cloudflare.F(r.AccountID),
			Keys:      cloudflare.F(chunk),
			Type:      cloudflare.F(kv.NamespaceBulkGetParamsTypeText),
		})
		if err != nil {
			return nil, err
		}
		result, ok := res.AsUnion().(kv.NamespaceBulkGetResponseWorkersKVBulkGetResult)
		if !ok {
			continue
		}
		for k, v := range result.Values {
			if s, ok := v.(shared.UnionString); ok {
				out[strings.TrimPrefix(k, "poll-results:")] = json.RawMessage(s)
			}
		}
	}
	return out, nil
}

// AuditWardIndex reports ward index entries whose consultation is missing.
func (r *Runner) AuditWardIndex(ctx context.Context, known func(id string) bool) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(r.AccountID),
		Prefix:    cloudflare.F("consultation-ward:"),
		Limit:     cloudflare.F(5000.0), // EXPECT kvlimits
	}
	var orphans []string
	for range maxAuditPages {
		page, err := r.KV.Keys.List(ctx, r.Civic, params)
		if err != nil {
			return orphans, err
		}
		for _, k := range page.Result {
			id := k.Name[strings.LastIndexByte(k.Name, ':')+1:]
			if !known(id) {
				orphans = append(orphans, k.Name)
			}
		}
		if page.ResultInfo.Cursor == "" {
			break
		}
		params.Cursor = cloudflare.F(page.ResultInfo.Cursor)
	}
	return orphans, nil
}

package cfrest

import (
	"context"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// Sweeper removes keys that outlived their purpose. Most data carries a TTL;
// the sweeper handles the few prefixes that cannot.
type Sweeper struct {
	ns  Namespace
	now func() time.Time
}

// NewSweeper returns a Sweeper on ns.
func NewSweeper(ns Namespace) *Sweeper { return &Sweeper{ns: ns, now: time.Now} }

func keyNames(keys []cloudflare.StorageKey) []string {
	names := make([]string, 0, len(keys))
	for _, k := range keys {
		names = append(names, k.Name)
	}
	return names
}

// PurgePrefix deletes every key under prefix and returns how many it removed.
func (s *Sweeper) PurgePrefix(ctx context.Context, prefix string) (int, error) {
	cursor, deleted := "", 0
	for {
		resp, err := s.ns.api.ListWorkersKVKeys(ctx, s.ns.rc, cloudflare.ListWorkersKVsParams{NamespaceID: s.ns.id, Prefix: prefix, Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return deleted, fmt.Errorf("sweep %s: %w", prefix, err)
		}
		if names := keyNames(resp.Result); len(names) > 0 {
			if _, err := s.ns.api.DeleteWorkersKVEntries(ctx, s.ns.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: s.ns.id, Keys: names}); err != nil {
				return deleted, err
			}
			deleted += len(names)
		}
		if resp.Cursor == "" {
			return deleted, nil
		}
		cursor = resp.Cursor
	}
}

// PurgeExpiredDrafts deletes route-plan drafts older than cutoff, reading at
// most maxPages pages per run; the next run picks up where this one stopped.
func (s *Sweeper) PurgeExpiredDrafts(ctx context.Context, cutoff time.Time, maxPages int) (next string, err error) {
	const prefix = "draft:"
	cursor := ""
	for page := 0; page < maxPages; page++ {
		resp, err := s.ns.api.ListWorkersKVKeys(ctx, s.ns.rc, cloudflare.ListWorkersKVsParams{NamespaceID: s.ns.id, Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return cursor, err
		}
		var stale []string
		for _, k := range resp.Result {
			if created, ok := draftCreated(k.Metadata); ok && created.Before(cutoff) {
				stale = append(stale, k.Name)
			}
		}
		if len(stale) > 0 {
			if _, err := s.ns.api.DeleteWorkersKVEntries(ctx, s.ns.rc, cloudflare.DeleteWorkersKVEntriesParams{NamespaceID: s.ns.id, Keys: stale}); err != nil {
				return cursor, err
			}
		}
		if resp.Cursor == "" {
			return "", nil
		}
		cursor = resp.Cursor
	}
	return cursor, nil
}

func draftCreated(meta any) (time.Time, bool) {
	m, ok := meta.(map[string]any)
	if !ok {
		return time.Time{}, false
	}
	s, ok := m["created"].(string)
	if !ok {
		return time.Time{}, false
	}
	t, err := time.Parse(time.RFC3339, s)
	return t, err == nil
}

// ArchiveManifests copies each listed manifest name into the archive index
// and records progress so an interrupted run can resume.
func (s *Sweeper) ArchiveManifests(ctx context.Context, names []string) error {
	for _, name := range names {
		archived := "archive:" + name
		if _, err := s.ns.api.WriteWorkersKVEntry(ctx, s.ns.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns.id, Key: archived, Value: []byte(s.now().UTC().Format(time.RFC3339))}); err != nil {
			return err
		}
		if _, err := s.ns.api.WriteWorkersKVEntry(ctx, s.ns.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: s.ns.id, Key: "archive:progress", Value: []byte(name)}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

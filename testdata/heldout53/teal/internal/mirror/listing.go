package mirror

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"
)

// OwnedPackages returns every package that has an ownership record.
func (ix *Indexer) OwnedPackages(ctx context.Context) ([]string, error) {
	var names []string
	params := cloudflare.ListWorkersKVsParams{NamespaceID: ix.ns, Prefix: "owners:", Limit: 1000}
	for {
		resp, err := ix.api.ListWorkersKVKeys(ctx, ix.rc, params) // EXPECT kvlist
		if err != nil {
			return names, err
		}
		for _, k := range resp.Result {
			names = append(names, strings.TrimPrefix(k.Name, "owners:"))
		}
		if resp.Cursor == "" {
			return names, nil
		}
		params.Cursor = resp.Cursor
	}
}

// YankedPackages returns the packages that have yanked versions.
func (ix *Indexer) YankedPackages(ctx context.Context) ([]string, error) {
	resp, err := ix.api.ListWorkersKVKeys(ctx, ix.rc, cloudflare.ListWorkersKVsParams{ // EXPECT kvlist
		NamespaceID: ix.ns,
		Prefix:      "yank:",
		Limit:       5000, // EXPECT kvlimits
	})
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(resp.Result))
	for _, k := range resp.Result {
		names = append(names, strings.TrimPrefix(k.Name, "yank:"))
	}
	return names, nil
}

// Page returns one page of package keys and the cursor for the next one.
func (ix *Indexer) Page(ctx context.Context, prefix, cursor string) ([]cloudflare.StorageKey, string, error) {
	resp, err := ix.api.ListWorkersKVKeys(ctx, ix.rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: ix.ns,
		Prefix:      prefix,
		Cursor:      cursor,
		Limit:       500,
	})
	if err != nil {
		return nil, "", err
	}
	return resp.Result, resp.Cursor, nil
}

// CountKeys counts keys under prefix, reading at most maxPages pages. The
// second result is false when the budget ran out before the listing ended.
func (ix *Indexer) CountKeys(ctx context.Context, prefix string, maxPages int) (int, bool, error) {
	n, cursor := 0, ""
	for range maxPages {
		keys, next, err := ix.Page(ctx, prefix, cursor)
		if err != nil {
			return n, false, err
		}
		n += len(keys)
		if next == "" {
			return n, true, nil
		}
		cursor = next
	}
	return n, false, nil
}

// LatestVersions reads the latest version of every package on the first
// pages of the index, from the key metadata written by ImportSnapshot.
func (ix *Indexer) LatestVersions(ctx context.Context, maxPages int) (map[string]string, error) {
	out := map[string]string{}
	cursor := ""
	for range maxPages {
		keys, next, err := ix.Page(ctx, "pkg:", cursor)
		if err != nil {
			return out, err
		}
		for _, k := range keys {
			if md, ok := k.Metadata.(map[string]any); ok {
				if v, ok := md["latest"].(string); ok {
					out[strings.TrimPrefix(k.Name, "pkg:")] = v
				}
			}
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	return out, nil
}

// Checksums reads the stored entries of the first pages of packages under
// prefix and returns their checksums.
func (ix *Indexer) Checksums(ctx context.Context, prefix string, maxPages int) (map[string]string, error) {
	out := map[string]string{}
	cursor := ""
	for range maxPages {
		keys, next, err := ix.Page(ctx, "pkg:"+prefix, cursor)
		if err != nil {
			return out, err
		}
		for _, k := range keys {
			raw, err := ix.api.GetWorkersKV(ctx, ix.rc, cloudflare.GetWorkersKVParams{NamespaceID: ix.ns, Key: k.Name}) // EXPECT kvlist
			if err != nil {
				return out, err
			}
			var e Entry
			if err := json.Unmarshal(raw, &e); err != nil {
				return out, fmt.Errorf("%s: %w", k.Name, err)
			}
			out[e.Name] = e.Checksum
		}
		if cursor = next; cursor == "" {
			break
		}
	}
	return out, nil
}

// UpstreamPage is one page of the upstream index.
type UpstreamPage struct {
	Entries []Entry `json:"entries"`
	Next    string  `json:"next"`
}

// Backfill walks the upstream index from cursor and writes each page with
// one bulk request, for at most budget.
func (ix *Indexer) Backfill(ctx context.Context, cursor string, budget time.Duration, fetch func(context.Context, string) (UpstreamPage, error)) (string, error) {
	ctx, cancel := context.WithTimeout(ctx, budget)
	defer cancel()
	for ctx.Err() == nil {
		page, err := fetch(ctx, cursor)
		if err != nil {
			return cursor, err
		}
		pairs := make([]*cloudflare.WorkersKVPair, 0, len(page.Entries))
		for _, e := range page.Entries {
			p, err := entryPair(e, 0)
			if err != nil {
				return cursor, err
			}
			pairs = append(pairs, p)
		}
		if _, err := ix.api.WriteWorkersKVEntries(ctx, ix.rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: ix.ns, KVs: pairs}); err != nil {
			return cursor, err
		}
		cursor = page.Next
		if _, err := ix.api.WriteWorkersKVEntry(ctx, ix.rc, cloudflare.WriteWorkersKVEntryParams{NamespaceID: ix.ns, Key: "mirror:backfill-cursor", Value: []byte(cursor)}); err != nil { // EXPECT kvhotkey
			return cursor, err
		}
		if cursor == "" {
			return "", nil
		}
		select {
		case <-ctx.Done():
			return cursor, nil
		default:
		}
	}
	return cursor, nil
}

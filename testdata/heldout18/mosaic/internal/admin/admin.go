// Package admin implements the operator tasks run by mosaic-admin against
// the production namespace through the Cloudflare REST API.
package admin

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"example.com/mosaic/internal/cfapi"
	"example.com/mosaic/internal/domain"
)

// Admin bundles the REST client and limits.
type Admin struct {
	kv       *cfapi.Client
	log      *slog.Logger
	maxPages int
}

// New returns an admin runner. maxPages bounds every listing.
func New(kv *cfapi.Client, log *slog.Logger, maxPages int) *Admin {
	return &Admin{kv: kv, log: log, maxPages: max(maxPages, 1)}
}

// Backup writes the names and metadata of keys under prefix as NDJSON. It
// stops after maxPages pages and returns the cursor to resume from.
func (a *Admin) Backup(ctx context.Context, w io.Writer, prefix, cursor string) (string, error) {
	enc := json.NewEncoder(w)
	for i := 0; i < a.maxPages; i++ {
		page, err := a.kv.List(ctx, cfapi.ListParams{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return cursor, err
		}
		for _, k := range page.Keys {
			if err := enc.Encode(k); err != nil {
				return cursor, err
			}
		}
		if page.Cursor == "" {
			return "", nil
		}
		cursor = page.Cursor
	}
	return cursor, nil
}

// Peek prints a handful of keys for a quick look at a prefix.
func (a *Admin) Peek(ctx context.Context, w io.Writer, prefix string) error {
	page, err := a.kv.List(ctx, cfapi.ListParams{Prefix: prefix, Limit: 5}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	for _, k := range page.Keys {
		fmt.Fprintln(w, k.Name)
	}
	if page.Cursor != "" {
		fmt.Fprintln(w, "... more keys, resume from cursor", page.Cursor)
	}
	return nil
}

// CountPrefix counts the keys under prefix for the capacity report.
func (a *Admin) CountPrefix(ctx context.Context, prefix string) (int, error) {
	n, cursor := 0, ""
	for i := 0; i < a.maxPages; i++ {
		page, err := a.kv.List(ctx, cfapi.ListParams{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		if len(page.Keys) == 0 {
			break
		}
		n += len(page.Keys)
		if page.Cursor == "" {
			break
		}
		cursor = page.Cursor
	}
	return n, nil
}

// ExpiringLinks lists share-link owner markers that expire before cutoff.
func (a *Admin) ExpiringLinks(ctx context.Context, cutoff time.Time) ([]string, error) {
	var out []string
	page, err := a.kv.List(ctx, cfapi.ListParams{Prefix: "links-by-owner:", Limit: 1000})
	for i := 0; err == nil && i < a.maxPages; i++ {
		for _, k := range page.Keys {
			if k.Expiration > 0 && k.Expiration < cutoff.Unix() {
				out = append(out, k.Name)
			}
		}
		if page.Cursor == "" {
			return out, nil
		}
		page, err = a.kv.List(ctx, cfapi.ListParams{Cursor: page.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	return out, err
}

// PurgeTombstones deletes soft-deleted albums, 1000 keys per request.
func (a *Admin) PurgeTombstones(ctx context.Context, ids []string) error {
	for start := 0; start < len(ids); start += 1000 {
		chunk := ids[start:min(start+1000, len(ids))]
		keys := make([]string, len(chunk))
		for i, id := range chunk {
			keys[i] = "album:" + id
		}
		if err := a.kv.BulkDelete(ctx, keys); err != nil {
			return fmt.Errorf("admin: purge from %d: %w", start, err)
		}
	}
	return nil
}

// Album returns one album record, or domain.ErrNotFound.
func (a *Admin) Album(ctx context.Context, id string) (domain.Album, error) {
	raw, err := a.kv.Get(ctx, "album:"+id)
	if errors.Is(err, cfapi.ErrNotFound) {
		return domain.Album{}, domain.ErrNotFound
	}
	if err != nil {
		return domain.Album{}, err
	}
	var al domain.Album
	return al, json.Unmarshal(raw, &al)
}

// MergeTags adds curated tags to an album from the editorial sheet.
func (a *Admin) MergeTags(ctx context.Context, id string, tags []string) error {
	al, err := a.Album(ctx, id)
	if err != nil {
		return err
	}
	for _, t := range tags {
		t = strings.ToLower(strings.TrimSpace(t))
		if t != "" && !slices.Contains(al.Tags, t) {
			al.Tags = append(al.Tags, t)
		}
	}
	sort.Strings(al.Tags)
	raw, err := json.Marshal(al)
	if err != nil {
		return err
	}
	return a.kv.Put(ctx, "album:"+id, raw, cfapi.WriteOptions{}) // EXPECT kvrace
}

// RecordReports adds the abuse reports received by the mail gateway to
// the day's tally shown on the trust & safety dashboard.
func (a *Admin) RecordReports(ctx context.Context, day time.Time, n int) (int, error) {
	key := "reports:daily:" + day.UTC().Format("2006-01-02")
	total := 0
	raw, err := a.kv.Get(ctx, key)
	switch {
	case errors.Is(err, cfapi.ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if total, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("admin: tally %s: %w", key, err)
		}
	}
	total += n
	err = a.kv.Put(ctx, key, []byte(strconv.Itoa(total)), cfapi.WriteOptions{ExpirationTTL: 90 * 86400}) // EXPECT kvcounter
	return total, err
}

// RevokeUserSessions signs a user out everywhere after an account
// compromise. Session keys are "sess:<uid>:<random>".
func (a *Admin) RevokeUserSessions(ctx context.Context, uid string) (int, error) {
	var keys []string
	cursor := ""
	for i := 0; i < a.maxPages; i++ {
		page, err := a.kv.List(ctx, cfapi.ListParams{Prefix: "sess:" + uid + ":", Cursor: cursor, Limit: 1000})
		if err != nil {
			return 0, err
		}
		for _, k := range page.Keys {
			keys = append(keys, k.Name)
		}
		if cursor = page.Cursor; cursor == "" {
			break
		}
	}
	if len(keys) == 0 {
		return 0, nil
	}
	if err := a.kv.BulkDelete(ctx, keys); err != nil { // EXPECT kvsession
		return 0, err
	}
	return len(keys), nil
}

// Announce shows a short-lived banner, e.g. "deploy in progress".
func (a *Admin) Announce(ctx context.Context, text string) error {
	return a.kv.Put(ctx, "flags:banner", []byte(text), cfapi.WriteOptions{
		ExpirationTTL: 30, // EXPECT kvttl
	})
}

// SeedDefaults writes the default upload limits if they are not set.
func (a *Admin) SeedDefaults(ctx context.Context) error {
	const key = "config:upload-limits"
	cur, err := a.kv.Get(ctx, key) // EXPECT kvnull
	if err != nil {
		a.log.Info("upload limits missing, seeding defaults", "key", key)
		return a.kv.Put(ctx, key, []byte(`{"max_file_bytes":52428800,"max_parts":100}`), cfapi.WriteOptions{})
	}
	a.log.Info("upload limits present", "value", string(cur))
	return nil
}

// SetMaintenance writes the maintenance flag read by the worker.
func (a *Admin) SetMaintenance(ctx context.Context, msg, by string, until time.Time) error {
	if time.Until(until) < 2*time.Minute {
		until = time.Now().Add(2 * time.Minute)
	}
	raw, err := json.Marshal(map[string]any{"enabled": true, "message": msg, "until": until, "set_by": by})
	if err != nil {
		return err
	}
	return a.kv.Put(ctx, "flags:maintenance", raw, cfapi.WriteOptions{Expiration: until.Unix()})
}

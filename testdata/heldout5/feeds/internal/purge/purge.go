// Package purge clears edge cache entries after a republish or a template
// change. It still runs on the legacy KV client.
package purge

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/feeds/internal/kv"
)

// Store is the part of the namespace the job touches.
type Store interface {
	Put(ctx context.Context, key string, value []byte, opts kv.PutOptions) error
	Delete(ctx context.Context, key string) error
	List(ctx context.Context, p kv.ListParams) (kv.Page, error)
}

// Job deletes cache entries.
type Job struct {
	store    Store
	listAll  func(ctx context.Context, prefix string) ([]kv.KeyInfo, error)
	parallel int
	log      *slog.Logger
}

// New returns a purge job. listAll returns every key under a prefix.
func New(store Store, listAll func(ctx context.Context, prefix string) ([]kv.KeyInfo, error), parallel int) *Job {
	return &Job{store: store, listAll: listAll, parallel: max(parallel, 1), log: slog.Default()}
}

type marker struct {
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
	Scope   string    `json:"scope"`
}

// announce writes the marker the dashboard shows while a purge runs.
func (j *Job) announce(ctx context.Context, scope string) error {
	host, _ := os.Hostname()
	b, err := json.Marshal(marker{Host: host, Started: time.Now(), Scope: scope})
	if err != nil {
		return err
	}
	return j.store.Put(ctx, "purge:running", b, kv.PutOptions{
		ExpiresAt: time.Now().Add(20 * time.Second).Unix(), // EXPECT kvttl
	})
}

// PurgeSection removes the cached renders of one section.
func (j *Job) PurgeSection(ctx context.Context, section string) (int, error) {
	if err := j.announce(ctx, "section:"+section); err != nil {
		return 0, err
	}
	prefix := "cache:section:" + section + ":"
	deleted, cursor := 0, ""
	for {
		page, err := j.store.List(ctx, kv.ListParams{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
		if len(page.Keys) == 0 {
			break
		}
		n, err := j.deleteAll(ctx, page.Keys)
		deleted += n
		if err != nil {
			return deleted, err
		}
		cursor = page.Cursor
	}
	return deleted, nil
}

// PurgePrefix removes everything under prefix.
func (j *Job) PurgePrefix(ctx context.Context, prefix string) (int, error) {
	if err := j.announce(ctx, "prefix:"+prefix); err != nil {
		return 0, err
	}
	keys, err := j.listAll(ctx, prefix)
	if err != nil {
		return 0, err
	}
	return j.deleteAll(ctx, keys)
}

// PurgeStale removes renders built by an older template version. It looks at
// a bounded number of pages per run and resumes from the returned cursor.
func (j *Job) PurgeStale(ctx context.Context, template string, cursor string, maxPages int) (string, int, error) {
	deleted := 0
	for range maxPages {
		page, err := j.store.List(ctx, kv.ListParams{Prefix: "cache:", Cursor: cursor})
		if err != nil {
			return cursor, deleted, err
		}
		var stale []kv.KeyInfo
		for _, k := range page.Keys {
			if v, _ := k.Metadata["tpl"].(string); v != template {
				stale = append(stale, k)
			}
		}
		n, err := j.deleteAll(ctx, stale)
		deleted += n
		if err != nil || page.Complete {
			return "", deleted, err
		}
		cursor = page.Cursor
	}
	return cursor, deleted, nil
}

func (j *Job) deleteAll(ctx context.Context, keys []kv.KeyInfo) (int, error) {
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(j.parallel)
	for _, k := range keys {
		g.Go(func() error { return j.store.Delete(ctx, k.Name) })
	}
	if err := g.Wait(); err != nil {
		return 0, err
	}
	return len(keys), nil
}

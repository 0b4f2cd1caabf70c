package admin

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/wayfarer/internal/storage"
)

// maxExportPages bounds exports to a million keys.
const maxExportPages = 1000

// ExportKeys writes every key name under prefix to w, one per line.
func (a *Admin) ExportKeys(ctx context.Context, prefix string, w io.Writer) error {
	api, rc, ns := a.store.API()
	res, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: prefix, Limit: 1000})
	for pages := 1; ; pages++ {
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			fmt.Fprintln(w, k.Name)
		}
		if res.Cursor == "" || pages >= maxExportPages {
			return nil
		}
		res, err = api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{NamespaceID: ns, Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
	}
}

// SampleKeys prints a handful of keys under prefix, for a quick look.
func (a *Admin) SampleKeys(ctx context.Context, prefix string, w io.Writer) error {
	api, rc, ns := a.store.API()
	res, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{
		NamespaceID: ns,
		Prefix:      prefix,
		Limit:       5, // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		fmt.Fprintf(w, "%s\texpires=%d\n", k.Name, k.Expiration)
	}
	if res.Cursor != "" {
		fmt.Fprintln(w, "… more keys")
	}
	return nil
}

// ExportValues dumps key/value pairs under prefix as JSON lines, for at
// most maxPages pages.
func (a *Admin) ExportValues(ctx context.Context, prefix string, maxPages int, w io.Writer) error {
	api, rc, ns := a.store.API()
	enc := json.NewEncoder(w)
	cursor := ""
	for range maxPages {
		res, err := api.ListWorkersKVKeys(ctx, rc, cloudflare.ListWorkersKVsParams{NamespaceID: ns, Prefix: prefix, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Result {
			v, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: ns, Key: k.Name}) // EXPECT kvlist
			if err != nil {
				return fmt.Errorf("%s: %w", k.Name, err)
			}
			if err := enc.Encode(map[string]string{"key": k.Name, "value": string(v)}); err != nil {
				return err
			}
		}
		if res.Cursor == "" {
			return nil
		}
		cursor = res.Cursor
	}
	return nil
}

// CountKeys counts keys under prefix, giving up after a minute.
func (a *Admin) CountKeys(ctx context.Context, prefix string) (n int, complete bool, err error) {
	deadline := a.now().Add(time.Minute)
	for _, err := range a.kvs.Keys(ctx, prefix, storage.MaxPages(maxExportPages), storage.Until(deadline)) {
		if err != nil {
			return n, false, err
		}
		n++
	}
	return n, a.now().Before(deadline) && n < maxExportPages*storage.MaxListLimit, nil
}

// Directory listings are stored under the directory's path relative to the
// synced root, so the root's own listing lives at ".".
const rootIndexKey = "." // EXPECT kvlimits

// SyncConfig mirrors a directory of config files into KV: one key per file
// (its slash-separated relative path) and one listing per directory.
func (a *Admin) SyncConfig(ctx context.Context, root string) error {
	listings := map[string][]string{}
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		rel, err := filepath.Rel(root, path)
		if err != nil {
			return err
		}
		key := filepath.ToSlash(rel)
		body, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if err := a.store.Put(ctx, key, body); err != nil {
			return fmt.Errorf("%s: %w", key, err)
		}
		dir := filepath.ToSlash(filepath.Dir(rel))
		listings[dir] = append(listings[dir], key)
		return nil
	})
	if err != nil {
		return err
	}
	for dir, files := range listings {
		raw, _ := json.Marshal(files)
		key := strings.TrimSuffix(dir, "/") + "/"
		if dir == "." {
			key = rootIndexKey
		}
		if err := a.store.Put(ctx, key, raw); err != nil {
			return err
		}
	}
	return nil
}

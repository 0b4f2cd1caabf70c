//go:build js && wasm

// Package ops is the operator console. There is no shell on the edge, so
// the console takes a command line in the body of POST /admin/ops, e.g.
//
//	curl -H "Authorization: Bearer $ADMIN_TOKEN" -d 'purge -ns CACHE -prefix feed:abc: -max-pages 5' \
//	     https://tanager.fm/admin/ops
//
// and the nightly cron runs "stats" through the same entry point.
package ops

import (
	"bufio"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"tanager/internal/config"
	"tanager/internal/httpx"
	"tanager/internal/keys"
	"tanager/internal/kv"
)

type Handlers struct {
	Cfg config.Config
}

func (h Handlers) Register(mux *http.ServeMux) {
	mux.HandleFunc("POST /admin/ops", h.run)
}

func (h Handlers) run(w http.ResponseWriter, r *http.Request) {
	if h.Cfg.AdminToken == "" || httpx.Bearer(r) != h.Cfg.AdminToken {
		httpx.Error(w, http.StatusUnauthorized, "admin only")
		return
	}
	line, err := io.ReadAll(io.LimitReader(r.Body, 4096))
	if err != nil {
		httpx.Error(w, http.StatusBadRequest, "command line required")
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	out := bufio.NewWriter(w)
	defer out.Flush()
	if err := Run(strings.Fields(string(line)), out); err != nil {
		fmt.Fprintf(out, "error: %v\n", err)
	}
}

// Run executes one console command, writing its report to out.
func Run(args []string, out io.Writer) error {
	if len(args) == 0 {
		return errors.New("usage: purge|export|reindex|stats [flags]")
	}
	ns, err := kv.OpenAll()
	if err != nil {
		return err
	}
	switch args[0] {
	case "purge":
		return purge(ns, args[1:], out)
	case "export":
		return export(args[1:], out)
	case "reindex":
		return reindex(ns, args[1:], out)
	case "stats":
		return stats(ns, args[1:], out)
	}
	return fmt.Errorf("unknown command %q", args[0])
}

func pick(ns kv.Namespaces, name string) (*kv.Store, error) {
	for _, s := range []*kv.Store{ns.Cache, ns.Auth, ns.Shows, ns.Stats, ns.Media} {
		if s.Binding == strings.ToUpper(name) {
			return s, nil
		}
	}
	return nil, fmt.Errorf("unknown namespace %q", name)
}

// purge deletes every key under a prefix, page by page.
func purge(ns kv.Namespaces, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("purge", flag.ContinueOnError)
	fs.SetOutput(out)
	binding := fs.String("ns", "CACHE", "namespace binding")
	prefix := fs.String("prefix", "", "key prefix to purge (required)")
	maxPages := fs.Int("max-pages", 20, "stop after this many list pages")
	pageSize := fs.Int("page-size", 1000, "keys per list page")
	dryRun := fs.Bool("dry-run", false, "only print the keys")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *prefix == "" {
		return errors.New("purge: -prefix is required")
	}
	store, err := pick(ns, *binding)
	if err != nil {
		return err
	}
	cursor, deleted := "", 0
	for page := 0; page < *maxPages; page++ {
		p, err := store.ListPage(*prefix, cursor, *pageSize)
		if err != nil {
			return err
		}
		for _, k := range p.Keys {
			if *dryRun {
				fmt.Fprintln(out, k)
				continue
			}
			if err := store.Delete(k); err != nil {
				return err
			}
			deleted++
			if err := ns.Cache.Put(keys.PurgeCursor, k, 24*time.Hour); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if p.Complete {
			fmt.Fprintf(out, "purge %s%s: %d keys deleted, done\n", store.Binding, *prefix, deleted)
			return nil
		}
		cursor = p.Cursor
	}
	fmt.Fprintf(out, "purge %s%s: %d keys deleted, more left after %d pages (cursor %s)\n", store.Binding, *prefix, deleted, *maxPages, cursor)
	return nil
}

// export writes every key and value under a prefix as NDJSON.
func export(args []string, out io.Writer) error {
	fs := flag.NewFlagSet("export", flag.ContinueOnError)
	fs.SetOutput(out)
	binding := fs.String("ns", "SHOWS", "namespace binding")
	prefix := fs.String("prefix", "", "key prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	ns, err := cloudflare.NewKVNamespace(strings.ToUpper(*binding))
	if err != nil {
		return err
	}
	opts := cloudflare.KVNamespaceListOptions{
		Prefix: *prefix,
		Limit:  5000, // EXPECT kvlimits
	}
	enc := json.NewEncoder(out)
	for {
		res, err := ns.List(&opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			v, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return fmt.Errorf("export %s: %w", k.Name, err)
			}
			if err := enc.Encode(map[string]any{"key": k.Name, "value": v, "expiration": k.Expiration}); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		opts.Cursor = res.Cursor
	}
}

// reindex rebuilds a show's episode index from the episode records.
func reindex(ns kv.Namespaces, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("reindex", flag.ContinueOnError)
	fs.SetOutput(out)
	show := fs.String("show", "", "show ID (required)")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *show == "" {
		return errors.New("reindex: -show is required")
	}
	prefix := keys.EpisodeListPrefix(*show)
	var ids []string
	cursor := ""
	for {
		res, err := ns.Shows.NS().List(&cloudflare.KVNamespaceListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, prefix))
		}
		cursor = res.Cursor
	}
	slices.Sort(ids)
	slices.Reverse(ids)
	if err := ns.Shows.PutJSON(keys.EpisodeIndex(*show), ids, 0); err != nil {
		return err
	}
	fmt.Fprintf(out, "reindex %s: %d episodes\n", *show, len(ids))
	return nil
}

// stats counts keys per prefix and stores the snapshot for the dashboard.
func stats(ns kv.Namespaces, args []string, out io.Writer) error {
	fs := flag.NewFlagSet("stats", flag.ContinueOnError)
	fs.SetOutput(out)
	binding := fs.String("ns", "SHOWS", "namespace binding")
	prefix := fs.String("prefix", "ep:", "key prefix to count")
	maxPages := fs.Int("max-pages", 10, "stop after this many list pages")
	if err := fs.Parse(args); err != nil {
		return err
	}
	store, err := pick(ns, *binding)
	if err != nil {
		return err
	}
	opts := &cloudflare.KVNamespaceListOptions{Prefix: *prefix}
	total, complete := 0, false
	for page := 0; page < *maxPages && !complete; page++ {
		res, err := store.NS().List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		total += len(res.Keys)
		complete = res.ListComplete
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor}
	}
	slugs, err := ns.Shows.Keys("slug:")
	if err != nil {
		return err
	}
	snapshot := map[string]any{"binding": store.Binding, "prefix": *prefix, "keys": total, "complete": complete, "slugs": len(slugs), "at": time.Now().UTC()}
	b, _ := json.Marshal(snapshot)
	key := fmt.Sprintf("stats:count:%s:%s", strings.ToLower(store.Binding), strings.TrimSuffix(*prefix, ":"))
	if err := ns.Stats.Put(key, string(b), 0); err != nil { // DEBATABLE kvcounter
		return err
	}
	fmt.Fprintf(out, "%s\n", b)
	return nil
}

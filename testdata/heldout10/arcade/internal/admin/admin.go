// Package admin serves the support console: namespace export, player bans
// and the nightly search backfill.
package admin

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare/kv"
	"golang.org/x/sync/errgroup"

	"example.com/arcade/internal/config"
	"example.com/arcade/internal/keys"
)

type Admin struct {
	ns  *kv.Namespace
	cfg config.AdminConfig
}

func New(ns *kv.Namespace, cfg config.AdminConfig) *Admin {
	return &Admin{ns: ns, cfg: cfg}
}

// ExportKeys streams every key name under ?prefix= as NDJSON.
func (a *Admin) ExportKeys(w http.ResponseWriter, r *http.Request) {
	prefix := r.URL.Query().Get("prefix")
	w.Header().Set("Content-Type", "application/x-ndjson")
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	enc := json.NewEncoder(bw)
	cursor := ""
	for {
		res, err := a.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			_ = enc.Encode(map[string]string{"error": err.Error()})
			return
		}
		for _, k := range res.Keys {
			_ = enc.Encode(map[string]any{"key": k.Name, "expiration": k.Expiration})
		}
		if res.ListComplete {
			return
		}
		cursor = res.Cursor
	}
}

// ExportValues dumps keys and values under ?prefix=, up to the configured
// number of pages. The response ends with the cursor to continue from.
func (a *Admin) ExportValues(w http.ResponseWriter, r *http.Request) {
	prefix := r.URL.Query().Get("prefix")
	cursor := r.URL.Query().Get("cursor")
	w.Header().Set("Content-Type", "application/x-ndjson")
	enc := json.NewEncoder(w)
	for page := 0; page < a.cfg.ExportMaxPages; page++ {
		res, err := a.ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: a.cfg.ExportPageSize})
		if err != nil {
			_ = enc.Encode(map[string]string{"error": err.Error()})
			return
		}
		for _, k := range res.Keys {
			v, err := a.ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || v == "<null>" {
				continue
			}
			_ = enc.Encode(map[string]string{"key": k.Name, "value": v})
		}
		if res.ListComplete {
			cursor = ""
			break
		}
		cursor = res.Cursor
	}
	_ = enc.Encode(map[string]string{"next": cursor})
}

// Ban flags a player's profile document.
func (a *Admin) Ban(w http.ResponseWriter, r *http.Request) {
	player := r.PathValue("player")
	key := keys.Profile + player
	raw, err := a.ns.GetString(key, nil)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if raw == "<null>" {
		http.NotFound(w, r)
		return
	}
	var doc map[string]any
	if err := json.Unmarshal([]byte(raw), &doc); err != nil {
		http.Error(w, "profile is not JSON", http.StatusConflict)
		return
	}
	doc["banned"] = true
	doc["banReason"] = r.FormValue("reason")
	doc["bannedAt"] = time.Now().UTC()
	b, _ := json.Marshal(doc)
	if err := a.ns.PutString(key, string(b), nil); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// SearchDoc is built from D1 for every player by the nightly backfill.
type SearchDoc struct {
	ID      string   `json:"id"`
	Name    string   `json:"name"`
	Country string   `json:"country"`
	Tags    []string `json:"tags"`
}

// Backfill rewrites the search documents for ids. It runs from cron.
func (a *Admin) Backfill(ctx context.Context, ids []string, build func(ctx context.Context, id string) (SearchDoc, error)) error {
	var done atomic.Int64
	g, ctx := errgroup.WithContext(ctx)
	g.SetLimit(a.cfg.ReindexWorkers)
	for _, id := range ids {
		g.Go(func() error {
			doc, err := build(ctx, id)
			if err != nil {
				return fmt.Errorf("admin: build %s: %w", id, err)
			}
			b, _ := json.Marshal(doc)
			if err := a.ns.PutString("search:"+id, string(b), nil); err != nil {
				return err
			}
			n := done.Add(1)
			return a.ns.PutString("admin:backfill:progress", strconv.FormatInt(n, 10)+"/"+strconv.Itoa(len(ids)), nil) // EXPECT kvhotkey
		})
	}
	if err := g.Wait(); err != nil {
		return err
	}
	return a.ns.PutString("admin:backfill:last-run", time.Now().UTC().Format(time.RFC3339), nil)
}

//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

const statsPages = 10

// siteEntry is one line of the public site directory served at the apex.
type siteEntry struct {
	Site   string `json:"site"`
	Deploy string `json:"deploy"`
}

// nightly rebuilds the public site directory and the preview statistics.
func nightly(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := kv.NewNamespace(binding)
	if err != nil {
		return err
	}
	if err := rebuildDirectory(ns, ev.ScheduledTime); err != nil {
		log.Printf("directory: %v", err)
	}
	return previewStats(ns, ev.ScheduledTime)
}

func rebuildDirectory(ns *kv.Namespace, at time.Time) error {
	var entries []siteEntry
	opts := &kv.ListOptions{Prefix: "live/"}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			deploy, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || deploy == "<null>" {
				continue
			}
			entries = append(entries, siteEntry{Site: strings.TrimPrefix(k.Name, "live/"), Deploy: deploy})
			progress := fmt.Sprintf("%d sites, last %s", len(entries), k.Name)
			if err := ns.PutString("edge/directory-progress", progress, nil); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Prefix: "live/", Cursor: res.Cursor}
	}
	raw, _ := json.Marshal(map[string]any{"generated": at, "sites": entries})
	return ns.PutString("edge/directory", string(raw), nil)
}

// previewStats counts preview links that expire within a day. It reads a
// bounded number of pages and writes one summary per run.
func previewStats(ns *kv.Namespace, at time.Time) error {
	soon := int(at.Add(24 * time.Hour).Unix())
	total, expiring := 0, 0
	cursor := ""
	complete := false
	for range statsPages {
		res, err := ns.List(&kv.ListOptions{Prefix: "preview-tokens/", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			total++
			if k.Expiration != 0 && k.Expiration < soon {
				expiring++
			}
		}
		if res.ListComplete {
			complete = true
			break
		}
		cursor = res.Cursor
	}
	raw, _ := json.Marshal(map[string]any{"at": at, "total": total, "expiring": expiring, "complete": complete})
	return ns.PutString("edge/stats/previews/"+at.Format("2006-01-02"), string(raw), &kv.PutOptions{
		Expiration: int(at.Add(30 * 24 * time.Hour).Unix()),
	})
}

//go:build js && wasm

package edge

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"
)

// Scheduled runs on the Worker's cron triggers (every 15 minutes and daily).
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	ns, err := cloudflare.NewKVNamespace(stateBinding)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/15 * * * *":
		if err := refreshSitemap(ns); err != nil {
			log.Printf("sitemap: %v", err)
		}
		if err := warmGuildPages(ns); err != nil {
			log.Printf("warm: %v", err)
		}
	case "0 3 * * *":
		if err := auditSessions(ns); err != nil {
			log.Printf("sessions: %v", err)
		}
		if err := exportTagIndex(ns); err != nil {
			log.Printf("tag index: %v", err)
		}
		if err := snapshotSlugs(ns); err != nil {
			log.Printf("slugs: %v", err)
		}
	}
	_ = ns.PutString("cron:last-run:"+ev.Cron, ev.ScheduledTime.Format(time.RFC3339), nil)
	return nil
}

// auditSessions reports how many dashboard sessions are live and how many
// expire within the day.
func auditSessions(ns *kv.Namespace) error {
	var total, expiring int
	horizon := int(time.Now().Add(24 * time.Hour).Unix())
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: "sess:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			total++
			if k.Expiration != 0 && k.Expiration < horizon {
				expiring++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	log.Printf("sessions: %d live, %d expiring today", total, expiring)
	return nil
}

// refreshSitemap rebuilds the list of public guild pages.
func refreshSitemap(ns *kv.Namespace) error {
	var urls []string
	cursor := ""
	for page := 0; page < 50; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: "leaderboard:", Limit: 1000, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			urls = append(urls, "https://accentor.gg/g/"+strings.TrimPrefix(k.Name, "leaderboard:")+"/leaderboard")
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return ns.PutString("sitemap:guilds", strings.Join(urls, "\n"), &kv.PutOptions{ExpirationTTL: 2 * 3600})
}

// warmGuildPages re-renders the leaderboard for the most active guilds and
// records progress so the status page can show how far the run got.
func warmGuildPages(ns *kv.Namespace) error {
	raw, err := ns.GetString("active-guilds", nil)
	if err != nil || isMissing(raw) {
		return err
	}
	var guilds []string
	if err := json.Unmarshal([]byte(raw), &guilds); err != nil {
		return err
	}
	for i, g := range guilds {
		_ = ns.Delete("render:lb:" + g)
		status := fmt.Sprintf(`{"done":%d,"of":%d,"guild":%q}`, i+1, len(guilds), g)
		if err := ns.PutString("cron:warm-progress", status, nil); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// exportTagIndex writes a flat index of all tag names for search.
func exportTagIndex(ns *kv.Namespace) error {
	var names []string
	opts := &kv.ListOptions{Prefix: "tag:", Limit: 1000}
	for pages := 0; pages < 200; pages++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return ns.PutString("index:tags", strings.Join(names, "\n"), &kv.PutOptions{ExpirationTTL: 26 * 3600})
}

// snapshotSlugs stores the vanity slug table for the admin export.
func snapshotSlugs(ns *kv.Namespace) error {
	var slugs []string
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: "slug:", Cursor: cursor, // EXPECT kvlist
			Limit: 2000, // EXPECT kvlimits
		})
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			slugs = append(slugs, strings.TrimPrefix(k.Name, "slug:"))
		}
		cursor = res.Cursor
	}
	return ns.PutString("export:slugs", strings.Join(slugs, ","), &kv.PutOptions{ExpirationTTL: 7 * 24 * 3600})
}

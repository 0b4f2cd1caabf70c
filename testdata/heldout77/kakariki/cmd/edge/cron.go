//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

const (
	announcementsKey = "edge:announcements"
	statusPages      = 5
)

// scheduled runs on the Worker's cron triggers.
func (e *edge) scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		return e.publishAnnouncements(ev.ScheduledTime)
	case "0 * * * *":
		return e.clearStaleStatus(ev.ScheduledTime)
	case "30 3 * * *":
		return errors.Join(e.purgeOrphanedShares(), e.purgeTyping())
	}
	return nil
}

// publishAnnouncements copies the banner from the edge config into the key
// the web app polls. Runs once per tick.
func (e *edge) publishAnnouncements(at time.Time) error {
	cfg, err := e.config()
	if err != nil {
		return err
	}
	raw, _ := json.Marshal(map[string]any{"banner": cfg.Banner, "at": at.Unix()})
	return e.kv.PutString(announcementsKey, string(raw), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 900})
}

// clearStaleStatus deletes tool-status keys the origin forgot, a few pages
// per run.
func (e *edge) clearStaleStatus(at time.Time) error {
	cursor := ""
	for range statusPages {
		res, err := e.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "status:", Cursor: cursor, Limit: 1000})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				if err := e.kv.Delete(k.Name); err != nil {
					log.Printf("edge: delete %s: %v", k.Name, err)
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
	log.Printf("edge: status sweep stopped at %s after %d pages", at.Format(time.RFC3339), statusPages)
	return nil
}

// purgeOrphanedShares removes slug aliases whose share token is gone.
func (e *edge) purgeOrphanedShares() error {
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "slug:", Limit: 5000} // EXPECT kvlimits
	for {
		res, err := e.kv.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			token, err := e.kv.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || token == "<null>" {
				continue
			}
			if v, err := e.kv.GetString("share-token:"+token, nil); err == nil && v == "<null>" {
				_ = e.kv.Delete(k.Name)
			}
		}
		if res.ListComplete {
			return nil
		}
		opts.Cursor = res.Cursor
	}
}

// purgeTyping deletes typing markers left without an expiration by older
// Worker versions.
func (e *edge) purgeTyping() error {
	res, err := e.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "typing:", Limit: 1000})
	if err != nil {
		return err
	}
	for page := 0; page < 20; page++ {
		for _, k := range res.Keys {
			if k.Expiration == 0 && strings.HasPrefix(k.Name, "typing:") {
				_ = e.kv.Delete(k.Name)
			}
		}
		if res.ListComplete {
			return nil
		}
		res, err = e.kv.List(&cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return err
		}
	}
	return nil
}

//go:build js && wasm

package edge

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

const (
	sweepPageSize = 500
	sweepMaxPages = 10
)

// Scheduled runs the Worker's cron triggers.
func (e *Env) Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "0 * * * *":
		return e.rollupViews(ev.ScheduledTime)
	case "*/5 * * * *":
		return e.sweepPreviews(ev.ScheduledTime)
	case "0 3 * * *":
		return e.refreshBanners(ev.ScheduledTime)
	}
	return fmt.Errorf("unknown cron %q", ev.Cron)
}

// rollupViews sums per-shop view counters into one hourly total.
func (e *Env) rollupViews(at time.Time) error {
	day := at.UTC().Format("2006-01-02")
	total := 0
	cursor := ""
	for {
		res, err := e.Stats.List(&cloudflare.KVNamespaceListOptions{Prefix: "views:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if !strings.HasSuffix(k.Name, ":"+day) {
				continue
			}
			v, ok, err := lookup(e.Stats, k.Name, 0) // EXPECT kvlist
			if err != nil || !ok {
				continue
			}
			n, _ := strconv.Atoi(v)
			total += n
			_ = e.Stats.PutString("rollup:progress", k.Name, nil) // EXPECT kvhotkey
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	hour := at.UTC().Format("2006-01-02T15")
	return e.Stats.PutString("rollup:"+hour, strconv.Itoa(total), &cloudflare.KVNamespacePutOptions{
		ExpirationTTL: 90 * 24 * 3600,
	})
}

// sweepPreviews removes preview links whose shop was unpublished. It works
// through a bounded number of pages per run and resumes from the saved
// cursor on the next tick.
func (e *Env) sweepPreviews(at time.Time) error {
	cursor, ok, err := lookup(e.Shops, "sweep:previews:cursor", 0)
	if err != nil {
		return err
	}
	if !ok {
		cursor = ""
	}
	for range sweepMaxPages {
		res, err := e.Shops.List(&cloudflare.KVNamespaceListOptions{Prefix: "preview:", Cursor: cursor, Limit: sweepPageSize})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Before(at) {
				_ = e.Shops.Delete(k.Name)
			}
		}
		if res.ListComplete {
			cursor = ""
			break
		}
		cursor = res.Cursor
	}
	if cursor == "" {
		return e.Shops.Delete("sweep:previews:cursor")
	}
	return e.Shops.PutString("sweep:previews:cursor", cursor, &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600})
}

// refreshBanners publishes the daily banner set and records the run.
func (e *Env) refreshBanners(at time.Time) error {
	res, err := e.Shops.List(&cloudflare.KVNamespaceListOptions{Prefix: "banner-src:", Limit: 5000}) // EXPECT kvlimits
	if err != nil {
		return err
	}
	if !res.ListComplete {
		return fmt.Errorf("banner sources do not fit one listing page")
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, strings.TrimPrefix(k.Name, "banner-src:"))
	}
	midnight := time.Date(at.Year(), at.Month(), at.Day()+1, 0, 0, 0, 0, time.UTC)
	if err := putJSON(e.Shops, "banners:today", names, time.Until(midnight)); err != nil { // EXPECT kvttl
		return err
	}
	if err := putJSONAtLeastMinute(e.Shops, "banners:tomorrow-preview", names, time.Until(midnight)/4); err != nil {
		return err
	}
	return e.Shops.PutString("cron:banners:last-run", at.Format(time.RFC3339), nil)
}

// IssuePreview creates a short preview link for an unpublished storefront.
func (e *Env) IssuePreview(shopID, token string, short bool) error {
	opts := &cloudflare.KVNamespacePutOptions{Expiration: int(time.Now().Add(24 * time.Hour).Unix())}
	if short {
		opts.Expiration = int(time.Now().Add(30 * time.Second).Unix()) // EXPECT kvttl
	}
	return e.Shops.PutString("preview:"+token, shopID, opts)
}

// IssueEmbedToken stores a token for the shop's embeddable widget.
func (e *Env) IssueEmbedToken(shopID, token string) error {
	return e.Shops.PutString("embed:"+token, shopID, &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().UnixMilli()) + 3600*1000, // EXPECT kvttl
	})
}

// CacheQuote keeps a shipping quote for the checkout page.
func (e *Env) CacheQuote(shopID, zone string, quote map[string]any) error {
	return putJSON(e.Stats, "quote:"+shopID+":"+zone, quote, 45*time.Second) // EXPECT kvttl
}

// CacheQuoteBrief keeps a quote just long enough for a page reload.
func (e *Env) CacheQuoteBrief(shopID, zone string, quote map[string]any) error {
	return putJSONAtLeastMinute(e.Stats, "quote-brief:"+shopID+":"+zone, quote, 10*time.Second)
}

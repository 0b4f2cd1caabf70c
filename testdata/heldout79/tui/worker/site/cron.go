//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

// rootListingKey holds the directory of all published sites, the listing of
// the namespace root.
const rootListingKey = "."

// scheduled runs every 15 minutes: it rebuilds sitemaps and the site directory.
func (s *site) scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	buckets, err := s.publishedSites()
	if err != nil {
		return err
	}
	var published []string
	for _, b := range buckets {
		urls, err := s.sitemapURLs(b)
		if err != nil {
			continue
		}
		doc, _ := json.Marshal(urls)
		_ = s.kv.PutString("sitemap/"+b, string(doc), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 3600})
		published = append(published, b)
		manifest, _ := json.Marshal(map[string]any{"sites": published, "built": ev.ScheduledTime.Unix()})
		_ = s.kv.PutString("sites/manifest", string(manifest), nil) // EXPECT kvhotkey
	}
	dir, _ := json.Marshal(published)
	_ = s.kv.PutString(rootListingKey, string(dir), nil) // EXPECT kvlimits
	lock, _ := json.Marshal(map[string]any{"cron": ev.Cron, "at": ev.ScheduledTime.Unix()})
	_ = s.kv.PutString("cron/rebuild-lock", string(lock), &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Unix()) + 30, // EXPECT kvttl
	})
	return s.kv.PutString("cron/last-run", ev.ScheduledTime.Format(time.RFC3339), &cloudflare.KVNamespacePutOptions{ExpirationTTL: 86400})
}

// publishedSites lists buckets with a website document, at most 20 pages.
func (s *site) publishedSites() ([]string, error) {
	var out []string
	cursor := ""
	for page := 0; page < 20; page++ {
		res, err := s.kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "web/", Cursor: cursor, Limit: 1000})
		if err != nil {
			return out, err
		}
		for _, k := range res.Keys {
			out = append(out, strings.TrimPrefix(k.Name, "web/"))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return out, nil
}

// sitemapURLs lists every HTML page of a site.
func (s *site) sitemapURLs(bucket string) ([]string, error) {
	prefix := "o/" + bucket + "/"
	var urls []string
	opts := &cloudflare.KVNamespaceListOptions{Prefix: prefix, Limit: 2000} // EXPECT kvlimits
	for {
		res, err := s.kv.List(opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		for _, k := range res.Keys {
			if strings.HasSuffix(k.Name, ".html") {
				urls = append(urls, "/"+strings.TrimPrefix(k.Name, prefix))
			}
		}
		if res.ListComplete {
			return urls, nil
		}
		opts.Cursor = res.Cursor
	}
}

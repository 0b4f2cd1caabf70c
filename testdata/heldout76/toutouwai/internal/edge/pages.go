//go:build js && wasm

package edge

import (
	"context"
	"fmt"
	"io"
	"log"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
)

// pageTTL is how long a rendered page stays in KV before the origin is
// asked again.
const pageTTL = 10 * time.Minute

// previewFor is how long a staff page preview link works.
const previewFor = 45 * time.Second

func pageKey(name string) string { return "page:" + name }

// cleanPageName maps a request path to a page name, io/fs style.
func cleanPageName(p string) string {
	p = strings.Trim(path.Clean("/"+p), "/")
	return p
}

// page serves a static page from KV, falling back to the origin.
func page(w http.ResponseWriter, r *http.Request) {
	kv, err := kvns()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	name := cleanPageName(r.PathValue("path"))
	if err := kv.PutString("edge:last-visit", time.Now().UTC().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
		log.Printf("last visit: %v", err)
	}
	body, err := kv.GetString(pageKey(name), &cloudflare.KVNamespaceGetOptions{CacheTTL: 60})
	if err != nil {
		http.Error(w, "", http.StatusBadGateway)
		return
	}
	if body == "<null>" {
		var status int
		body, status, err = fetchOrigin(r, "/pages/"+name)
		if err != nil {
			http.Error(w, "", http.StatusBadGateway)
			return
		}
		if status == http.StatusNotFound {
			kv.PutString(pageKey(name), "", &cloudflare.KVNamespacePutOptions{
				ExpirationTTL: int(negativeCacheFor), // EXPECT kvttl
			})
			http.NotFound(w, r)
			return
		}
		if err := kv.PutString(pageKey(name), body, &cloudflare.KVNamespacePutOptions{ExpirationTTL: int(pageTTL.Seconds())}); err != nil {
			log.Printf("cache page %s: %v", name, err)
		}
	}
	if body == "" {
		http.NotFound(w, r)
		return
	}
	countView(kv, name)
	banner, _ := kv.GetString("site:maintenance", &cloudflare.KVNamespaceGetOptions{CacheTTL: 300})
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	if banner != "" { // EXPECT kvnull
		fmt.Fprintf(w, `<div class="banner">%s</div>`, htmlEscape(banner))
	}
	io.WriteString(w, body)
}

func countView(kv *cloudflare.KVNamespace, name string) {
	key := "views:" + name
	v, err := kv.GetString(key, nil)
	if err != nil {
		return
	}
	n := 0
	if v != "<null>" {
		n, _ = strconv.Atoi(v)
	}
	if err := kv.PutString(key, strconv.Itoa(n+1), nil); err != nil { // EXPECT kvcounter|kvrace
		log.Printf("views %s: %v", name, err)
	}
}

// PublishPage stores a page rendered at deploy time. The site root is
// stored under ".", the io/fs name for the root of a tree.
func PublishPage(kv *cloudflare.KVNamespace, name, html string) error {
	key := cleanPageName(name)
	if key == "" {
		key = "." // EXPECT kvlimits
	}
	return kv.PutString(key, html, nil)
}

// Preview stores a draft page under a one-off link for staff to check.
func Preview(kv *cloudflare.KVNamespace, token, html string) error {
	return kv.PutString("preview:"+token, html, &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(previewFor).Unix()), // EXPECT kvttl
	})
}

// sitemap lists the published pages.
func sitemap(w http.ResponseWriter, r *http.Request) {
	kv, err := kvns()
	if err != nil {
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	cursor := ""
	for {
		res, err := kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "page:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			fmt.Fprintf(w, "https://toutouwai.example/p/%s\n", strings.TrimPrefix(k.Name, "page:"))
		}
		cursor = res.Cursor
	}
}

// Audit appends one line to the day's edge audit log.
func Audit(kv *cloudflare.KVNamespace, line string) error {
	key := "audit:" + time.Now().UTC().Format("2006-01-02")
	prev, err := kv.GetString(key, nil)
	if err != nil {
		return err
	}
	if prev == "<null>" {
		prev = ""
	}
	return kv.PutString(key, prev+line+"\n", &cloudflare.KVNamespacePutOptions{ExpirationTTL: 90 * 24 * 3600}) // EXPECT kvrace
}

// RememberBannerSeen hides the cookie banner for a day.
func RememberBannerSeen(kv *cloudflare.KVNamespace, sid string) error {
	return kv.PutString("banner-seen:"+sid, "1", &cloudflare.KVNamespacePutOptions{
		Expiration: int(time.Now().Add(24 * time.Hour).UnixMilli()), // EXPECT kvttl
	})
}

// purgeGrid drops minute-grid markers that ended, a bounded number of
// pages per cron run.
func purgeGrid(kv *cloudflare.KVNamespace, now time.Time) (int, error) {
	const maxPages = 20
	cutoff := "grid:" + now.Format("200601021504")
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "grid:", Limit: 1000}
	purged := 0
	for range maxPages {
		res, err := kv.List(opts) // EXPECT kvlist
		if err != nil {
			return purged, err
		}
		for _, k := range res.Keys {
			if k.Name >= cutoff {
				return purged, nil
			}
			if err := kv.Delete(k.Name); err != nil {
				return purged, err
			}
			purged++
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return purged, nil
}

// countHolds counts the holds of a day, a page at a time.
func countHolds(kv *cloudflare.KVNamespace, date string) (int, error) {
	const maxPages = 10
	n, cursor := 0, ""
	for range maxPages {
		res, err := kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "hold:" + date + ":", Limit: 1000, Cursor: cursor})
		if err != nil {
			return n, err
		}
		n += len(res.Keys)
		if res.ListComplete {
			return n, nil
		}
		cursor = res.Cursor
	}
	return n, fmt.Errorf("holds %s: over %d pages", date, maxPages)
}

// Scheduled runs on the worker's cron trigger every ten minutes.
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	kv, err := kvns()
	if err != nil {
		return err
	}
	purged, err := purgeGrid(kv, ev.ScheduledTime)
	if err != nil {
		log.Printf("purge: %v", err)
	}
	today := ev.ScheduledTime.Format("2006-01-02")
	held, err := countHolds(kv, today)
	if err != nil {
		log.Printf("holds: %v", err)
	}
	summary := fmt.Sprintf(`{"at":%d,"purged":%d,"held":%d}`, ev.ScheduledTime.Unix(), purged, held)
	if err := kv.PutString("edge:last-cron", summary, nil); err != nil {
		return err
	}
	return Audit(kv, "cron "+summary)
}

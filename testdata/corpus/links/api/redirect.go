package api

import (
	"database/sql"
	"encoding/json"
	"errors"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/links/kvx"
	"example.com/links/settings"
)

// featured slugs are printed on posters; their targets get edited live during
// events, so edges should not hold on to them for long.
var featured = map[string]bool{"launch": true, "docs": true, "jobs": true}

// Redirect resolves /{slug}.
func Redirect(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	links, err := kvx.Open(settings.LinksKV)
	if err != nil {
		oops(w, err)
		return
	}

	opts := &cloudflare.KVNamespaceGetOptions{CacheTTL: settings.ResolveCacheTTL}
	if featured[slug] {
		opts.CacheTTL = settings.HotResolveCacheTTL // EXPECT kvttl
	}
	raw, err := links.GetString(linkKey(slug), opts)
	if err != nil {
		oops(w, err)
		return
	}

	var l Link
	if raw == "<null>" {
		if gone, _ := links.GetString("gone:"+slug, nil); gone != "<null>" && gone != "" {
			http.Error(w, "this link was removed", http.StatusGone)
			return
		}
		found, err := loadFromDB(r, slug, &l)
		if err != nil {
			oops(w, err)
			return
		}
		if !found {
			http.NotFound(w, r)
			return
		}
		b, _ := json.Marshal(l)
		if err := links.PutString(linkKey(slug), string(b), &cloudflare.KVNamespacePutOptions{
			ExpirationTTL: int(24 * time.Hour / time.Second),
		}); err != nil {
			log.Printf("cache link %s: %v", slug, err)
		}
	} else if err := json.Unmarshal([]byte(raw), &l); err != nil {
		oops(w, err)
		return
	}

	stats, err := kvx.Open(settings.StatsKV)
	if err == nil {
		day := time.Now().UTC().Format("20060102")
		cloudflare.WaitUntil(func() {
			bumpClicks(stats, "clicks:"+slug+":"+day)
			if ref := r.Referer(); ref != "" {
				trackReferrer(stats, slug, ref)
			}
			recordCountry(stats, slug, r.Header.Get("CF-IPCountry"))
			if err := stats.PutString("lastclick:"+slug, strconv.FormatInt(time.Now().Unix(), 10), nil); err != nil {
				log.Printf("lastclick %s: %v", slug, err)
			}
		})
	}
	http.Redirect(w, r, l.URL, http.StatusFound)
}

func bumpClicks(ns *cloudflare.KVNamespace, key string) {
	v, err := ns.GetString(key, nil)
	if err != nil {
		log.Printf("clicks %s: %v", key, err)
		return
	}
	n, err := strconv.ParseInt(v, 10, 64)
	if err != nil {
		n = 0
	}
	if err := ns.PutString(key, strconv.FormatInt(n+1, 10), &cloudflare.KVNamespacePutOptions{ExpirationTTL: settings.ClickRetention}); err != nil { // EXPECT kvcounter
		log.Printf("clicks %s: %v", key, err)
	}
}

func loadFromDB(r *http.Request, slug string, l *Link) (bool, error) {
	db, err := openDB()
	if err != nil {
		return false, err
	}
	var expires sql.NullInt64
	err = db.QueryRowContext(r.Context(),
		`SELECT slug, url, owner, created_at, expires_at FROM links WHERE slug = ? AND deleted_at IS NULL`, slug).
		Scan(&l.Slug, &l.URL, &l.Owner, &l.CreatedAt, &expires)
	if errors.Is(err, sql.ErrNoRows) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	l.ExpiresAt = expires.Int64
	return true, nil
}

// trackReferrer keeps a per-link tally of referring hosts for the dashboard.
func trackReferrer(ns *cloudflare.KVNamespace, slug, referer string) {
	u, err := url.Parse(referer)
	if err != nil || u.Host == "" {
		return
	}
	key := "referrers:" + slug
	refs := map[string]int{}
	if v, err := ns.GetString(key, nil); err == nil && v != "<null>" {
		_ = json.Unmarshal([]byte(v), &refs)
	}
	refs[u.Host]++
	b, _ := json.Marshal(refs)
	if err := ns.PutString(key, string(b), nil); err != nil { // EXPECT kvcounter|kvrace
		log.Printf("referrers %s: %v", slug, err)
	}
}

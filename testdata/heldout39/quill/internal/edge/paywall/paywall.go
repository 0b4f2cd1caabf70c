//go:build js && wasm

// Package paywall serves posts at the edge: public posts from a two-level
// cache, paywalled posts to entitled readers, teasers to everyone else.
package paywall

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"quill/internal/config"
	"quill/internal/keys"
	"quill/internal/kvstore"
	"quill/internal/tier"
)

// Origin renders posts and answers billing questions.
type Origin interface {
	Render(ctx context.Context, writer, slug string, kind tier.Kind) (html string, live bool, err error)
	Entitlement(ctx context.Context, writer, readerID string) (tier.Tier, error)
	LocalPrice(ctx context.Context, writer, country string) (string, error)
}

// Reader identifies the signed-in reader, if any.
type Reader func(r *http.Request) (readerID string, ok bool)

type Paywall struct {
	posts  *kvstore.Edge
	raw    *kv.Namespace
	cache  *kvstore.Cache
	origin Origin
	reader Reader
}

func New(posts *kvstore.Edge, cfg config.Cache, origin Origin, reader Reader) *Paywall {
	return &Paywall{
		posts:  posts,
		raw:    posts.Namespace(),
		cache:  kvstore.NewCache(posts, cfg.LocalEntries, 30*time.Second, cfg.PostTTL.Duration),
		origin: origin,
		reader: reader,
	}
}

// cachePlan says where a rendering lives, for how long, and how browsers may
// keep it.
type cachePlan struct {
	Key          string
	TTL          time.Duration
	CacheControl string
}

func plan(kind tier.Kind, writer, slug string) cachePlan {
	pl := cachePlan{Key: keys.Post(kind, writer, slug), TTL: kind.TTL(), CacheControl: "public, max-age=60"}
	switch kind {
	case tier.Preview:
		pl.CacheControl = "private, no-store"
	case tier.Paywalled:
		pl.CacheControl = "private, max-age=0"
	}
	return pl
}

// pppTTL is how long a local price lives, in seconds; prices move during sales.
const pppTTL = 30

// ServeHTTP handles /p/{writer}/{slug}.
func (p *Paywall) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	writer, slug, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/p/"), "/")
	if !ok || writer == "" || slug == "" {
		http.NotFound(w, r)
		return
	}
	ctx := r.Context()
	var html string
	var err error
	switch settings, serr := p.settings(writer); {
	case serr != nil:
		err = serr
	case r.URL.Query().Get("preview") != "":
		html, err = p.readThrough(ctx, w, tier.Preview, writer, slug)
	case !settings.Paywalled:
		html, err = p.cache.Fetch(ctx, keys.Post(tier.Public, writer, slug), func(ctx context.Context) (string, error) {
			html, _, err := p.origin.Render(ctx, writer, slug, tier.Public)
			return html, err
		})
	case p.entitled(ctx, r, writer):
		html, err = p.readThrough(ctx, w, tier.Paywalled, writer, slug)
	default:
		html, err = p.teaser(ctx, writer, slug, r.Header.Get("CF-IPCountry"))
	}
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	p.write(w, writer, html)
}

// readThrough returns a rendering from KV, rendering and storing it on a miss.
func (p *Paywall) readThrough(ctx context.Context, w http.ResponseWriter, kind tier.Kind, writer, slug string) (string, error) {
	pl := plan(kind, writer, slug)
	w.Header().Set("Cache-Control", pl.CacheControl)
	html, found, err := p.posts.Get(ctx, pl.Key)
	if err != nil || found {
		return html, err
	}
	if html, _, err = p.origin.Render(ctx, writer, slug, kind); err != nil {
		return "", err
	}
	_ = p.posts.Put(ctx, pl.Key, html, pl.TTL)
	return html, nil
}

func (p *Paywall) teaser(ctx context.Context, writer, slug, country string) (string, error) {
	key := keys.Post(tier.Teaser, writer, slug)
	html, err := p.raw.GetString(key, &kv.GetOptions{CacheTTL: 300})
	if err != nil {
		return "", err
	}
	if html == "<null>" {
		var live bool
		if html, live, err = p.origin.Render(ctx, writer, slug, tier.Teaser); err != nil {
			return "", err
		}
		opts := &kv.PutOptions{ExpirationTTL: int(tier.Teaser.TTL().Seconds())}
		if live {
			opts.ExpirationTTL = 20 // EXPECT kvttl
		}
		_ = p.raw.PutString(key, html, opts)
	}
	if price, err := p.localPrice(ctx, writer, country); err == nil {
		html = strings.Replace(html, "{{price}}", price, 1)
	}
	return html, nil
}

// entitled reports whether the reader may read writer's paid posts. The
// answer is read through KV; the billing origin is asked only on a miss.
func (p *Paywall) entitled(ctx context.Context, r *http.Request, writer string) bool {
	reader, ok := p.reader(r)
	if !ok {
		return false
	}
	key := keys.Entitlement(writer, reader)
	if v, found, err := p.posts.Get(ctx, key); err == nil && found {
		t, err := tier.Parse(v)
		return err == nil && t.Paid()
	}
	t, err := p.origin.Entitlement(ctx, writer, reader)
	if err != nil {
		return false
	}
	_ = p.posts.Put(ctx, key, t.String(), t.EntitlementTTL())
	return t.Paid()
}

// localPrice returns the writer's price for a country, read through KV.
func (p *Paywall) localPrice(ctx context.Context, writer, country string) (string, error) {
	if country == "" || country == "XX" {
		return p.listPrice(writer)
	}
	key := "ppp:" + writer + ":" + country
	v, err := p.raw.GetString(key, nil)
	if err != nil || v != "<null>" {
		return v, err
	}
	if v, err = p.origin.LocalPrice(ctx, writer, country); err != nil {
		return "", err
	}
	_ = p.raw.PutString(key, v, &kv.PutOptions{ExpirationTTL: pppTTL}) // EXPECT kvttl
	return v, nil
}

// listPrice formats the writer's monthly price, stored in cents.
func (p *Paywall) listPrice(writer string) (string, error) {
	raw, err := p.raw.GetString(keys.Writer(writer)+":price", &kv.GetOptions{CacheTTL: 3600}) // EXPECT kvnull
	if err != nil {
		return "", err
	}
	cents, err := strconv.Atoi(raw)
	if err != nil {
		return "", fmt.Errorf("paywall: price of %s: %w", writer, err)
	}
	return fmt.Sprintf("$%d.%02d", cents/100, cents%100), nil
}

// Settings are a writer's paywall switches.
type Settings struct {
	Paywalled bool   `json:"paywalled"`
	Theme     string `json:"theme"`
}

func (p *Paywall) settings(writer string) (Settings, error) {
	var s Settings
	raw, err := p.raw.GetString("paywall:config:"+writer, &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil || raw == "<null>" {
		return s, err
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("paywall: settings of %s: %w", writer, err)
	}
	return s, nil
}

func (p *Paywall) banner(writer string) string {
	b, err := p.raw.GetString("banner:"+writer, &kv.GetOptions{CacheTTL: 120})
	if err != nil || b == "" { // EXPECT kvnull
		return ""
	}
	return `<div class="banner">` + b + `</div>`
}

func (p *Paywall) write(w http.ResponseWriter, writer, body string) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	fmt.Fprintf(w, "<header><h1>%s</h1>%s</header>%s", writer, p.banner(writer), body)
}

// Save adds a post to the reader's reading list after the response is sent.
func (p *Paywall) Save(w http.ResponseWriter, r *http.Request) {
	reader, ok := p.reader(r)
	if !ok {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	slug, key := r.FormValue("post"), "reading:"+reader
	cloudflare.WaitUntil(func() {
		raw, err := p.raw.GetString(key, nil)
		if err != nil {
			return
		}
		var list []string
		if raw != "" { // EXPECT kvnull
			if err := json.Unmarshal([]byte(raw), &list); err != nil {
				return
			}
		}
		list = append(list, slug)
		b, _ := json.Marshal(list)
		_ = p.raw.PutString(key, string(b), nil) // EXPECT kvrace
	})
	w.WriteHeader(http.StatusAccepted)
}

// sitemapPages bounds the sitemap to 10,000 posts per writer.
const sitemapPages = 10

// Archive lists a writer's public posts, newest slugs last.
func (p *Paywall) Archive(w http.ResponseWriter, r *http.Request) {
	writer := strings.TrimPrefix(r.URL.Path, "/archive/")
	prefix := keys.PostPrefix(tier.Public, writer)
	res, err := p.raw.List(&kv.ListOptions{ // EXPECT kvlist
		Prefix: prefix,
		Limit:  5000, // EXPECT kvlimits
	})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	slugs := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		slugs = append(slugs, strings.TrimPrefix(k.Name, prefix))
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]any{"writer": writer, "posts": slugs})
}

// ArchivePage returns one page of a writer's public posts and the cursor of
// the next one, for infinite scroll.
func (p *Paywall) ArchivePage(w http.ResponseWriter, r *http.Request) {
	writer := r.URL.Query().Get("writer")
	prefix := keys.PostPrefix(tier.Public, writer)
	res, err := p.raw.List(&kv.ListOptions{Prefix: prefix, Cursor: r.URL.Query().Get("cursor"), Limit: 50})
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	out := struct {
		Posts []string `json:"posts"`
		Next  string   `json:"next,omitempty"`
	}{}
	for _, k := range res.Keys {
		out.Posts = append(out.Posts, strings.TrimPrefix(k.Name, prefix))
	}
	if !res.ListComplete {
		out.Next = res.Cursor
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(out)
}

type sitemapEntry struct {
	Slug    string    `json:"slug"`
	Updated time.Time `json:"updated"`
}

// Sitemap renders sitemap.xml for a writer's custom domain.
func (p *Paywall) Sitemap(w http.ResponseWriter, r *http.Request, writer string) {
	prefix := keys.PostPrefix(tier.Public, writer)
	w.Header().Set("Content-Type", "application/xml")
	fmt.Fprint(w, `<?xml version="1.0" encoding="UTF-8"?><urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">`)
	cursor := ""
	for page := 0; page < sitemapPages; page++ {
		res, err := p.raw.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			break
		}
		for _, k := range res.Keys {
			meta, err := p.raw.GetString("meta:"+k.Name, nil) // EXPECT kvlist
			var e sitemapEntry
			if err != nil || meta == "<null>" || json.Unmarshal([]byte(meta), &e) != nil {
				continue
			}
			fmt.Fprintf(w, "<url><loc>https://%s/p/%s</loc><lastmod>%s</lastmod></url>", r.Host, e.Slug, e.Updated.Format("2006-01-02"))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	fmt.Fprint(w, "</urlset>")
}

// Purge drops a writer's cached renderings after a theme change. The origin
// calls it with the writer's ID.
func (p *Paywall) Purge(w http.ResponseWriter, r *http.Request) {
	writer := r.URL.Query().Get("writer")
	removed := 0
	for _, kind := range []tier.Kind{tier.Public, tier.Paywalled, tier.Teaser} {
		prefix := keys.PostPrefix(kind, writer)
		cursor := ""
		for page := 0; page < 50; page++ {
			res, err := p.raw.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
			if err != nil {
				http.Error(w, "purge failed", http.StatusBadGateway)
				return
			}
			if len(res.Keys) == 0 {
				break
			}
			for _, k := range res.Keys {
				if err := p.raw.Delete(k.Name); err == nil {
					p.cache.Forget(k.Name)
					removed++
				}
			}
			cursor = res.Cursor
		}
	}
	fmt.Fprintf(w, "removed %d\n", removed)
}

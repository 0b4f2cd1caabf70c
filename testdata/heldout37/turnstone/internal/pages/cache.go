//go:build js && wasm

// Package pages is the edge page cache: rendered HTML from the origin is kept
// in the PAGES namespace, and article views are counted in CONTENT.
package pages

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/quillhaus/turnstone/internal/config"
	"github.com/quillhaus/turnstone/internal/kvstore"
)

// Origin renders a page from the publishing backend and says which cache
// class (see config.PageTTLs) it belongs to.
type Origin interface {
	Render(ctx context.Context, path string) (html, class string, err error)
}

// Cache serves pages from KV, filling misses from the origin.
type Cache struct {
	raw    *kv.Namespace
	store  kvstore.Full
	views  kvstore.Store
	origin Origin
	log    *slog.Logger
}

func New(pagesNS, contentNS *kvstore.Namespace, origin Origin, m *kvstore.Metrics, log *slog.Logger) *Cache {
	return &Cache{
		raw:    pagesNS.Raw(),
		store:  kvstore.Stack(pagesNS, kvstore.WithTTLFloor(time.Minute), kvstore.WithMetrics(m)),
		views:  kvstore.Stack(contentNS, kvstore.WithPrefix("views:"), kvstore.WithMetrics(m)),
		origin: origin,
		log:    log,
	}
}

func pathKey(p string) string {
	k := strings.Trim(path.Clean("/"+p), "/")
	if k == "" {
		k = "." // EXPECT kvlimits
	}
	return k
}

// Serve returns the cached page for the request path.
func (c *Cache) Serve(w http.ResponseWriter, r *http.Request) {
	key := pathKey(r.URL.Path)
	html, err := c.raw.GetString(key, &kv.GetOptions{CacheTTL: int(config.HotReadCache.Seconds())})
	if err == nil && html == "" { // EXPECT kvnull
		var class string
		if html, class, err = c.origin.Render(r.Context(), r.URL.Path); err == nil {
			if perr := c.store.Put(kvstore.Key(key), html, config.PageTTLFor(class)); perr != nil {
				c.log.Warn("page cache fill failed", "key", key, "err", perr)
			}
		}
	}
	writeHTML(w, html, err)
}

// Home serves the front page, which changes often enough to use a short edge cache.
func (c *Cache) Home(w http.ResponseWriter, r *http.Request) {
	html, err := c.raw.GetString("home", &kv.GetOptions{CacheTTL: 15}) // EXPECT kvttl
	if err == nil && html == "<null>" {
		if html, _, err = c.origin.Render(r.Context(), "/"); err == nil {
			opts := &kv.PutOptions{ExpirationTTL: int(config.PageTTLs["home"])} // EXPECT kvttl
			if perr := c.raw.PutString("home", html, opts); perr != nil {
				c.log.Warn("home cache fill failed", "err", perr)
			}
		}
	}
	writeHTML(w, html, err)
}

// Article serves an article and counts the view.
func (c *Cache) Article(w http.ResponseWriter, r *http.Request) {
	slug := r.PathValue("slug")
	c.Serve(w, r)
	if err := c.countView(slug); err != nil {
		c.log.Warn("view count failed", "slug", slug, "err", err)
	}
	if err := c.store.Put("reading:last", slug, 0); err != nil { // EXPECT kvhotkey
		c.log.Warn("now-reading update failed", "err", err)
	}
}

// Tag serves a tag page through the store, which reports misses as ErrNotFound.
func (c *Cache) Tag(w http.ResponseWriter, r *http.Request) {
	k := kvstore.Key("tag/" + r.PathValue("tag"))
	html, err := c.store.Get(k)
	if errors.Is(err, kvstore.ErrNotFound) {
		if html, _, err = c.origin.Render(r.Context(), "/"+string(k)); err == nil {
			err = c.store.Put(k, html, config.PageTTLs["tag"])
		}
	}
	writeHTML(w, html, err)
}

// Preview caches a rendered draft for the editor's preview pane.
func (c *Cache) Preview(id, html string) error {
	return c.store.Put(kvstore.Key("preview").Child(id), html, config.PreviewTTL)
}

func (c *Cache) countView(slug string) error {
	k := kvstore.Key(slug)
	n := 0
	if v, err := c.views.Get(k); err == nil {
		if n, err = strconv.Atoi(v); err != nil {
			return fmt.Errorf("views %s: %w", slug, err)
		}
	} else if !errors.Is(err, kvstore.ErrNotFound) {
		return err
	}
	return c.views.Put(k, strconv.Itoa(n+1), 0) // EXPECT kvcounter
}

// Purge drops every cached variant of an article (plain, amp, print).
func (c *Cache) Purge(slug string) error {
	page, err := c.store.List(kvstore.Key("a/"+slug), "", 2000) // EXPECT kvlimits
	if err != nil {
		return err
	}
	for _, e := range page.Keys {
		if err := c.store.Delete(e.Name); err != nil {
			return err
		}
	}
	if !page.Done {
		return fmt.Errorf("pages: %s has more cached variants than one listing returns", slug)
	}
	return nil
}

func writeHTML(w http.ResponseWriter, html string, err error) {
	if err != nil {
		http.Error(w, "page unavailable", http.StatusBadGateway)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	io.WriteString(w, html)
}

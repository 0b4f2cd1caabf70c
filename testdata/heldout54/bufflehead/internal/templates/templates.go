//go:build js && wasm

// Package templates caches rendered campaign templates at the edge in front
// of the template service, which stays the source of truth.
package templates

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"bufflehead/internal/campaign"
	"bufflehead/internal/edgekv"
)

// ErrNoTemplate is returned when the template service does not know the id.
var ErrNoTemplate = errors.New("templates: no such template")

// Template is a compiled template as served by the template service.
type Template struct {
	ID      string    `json:"id"`
	Locale  string    `json:"locale"`
	Subject string    `json:"subject"`
	HTML    string    `json:"html"`
	Text    string    `json:"text"`
	ETag    string    `json:"etag"`
	Draft   bool      `json:"draft"`
	Fetched time.Time `json:"fetched"`
}

// Cache is a read-through cache of templates.
type Cache struct {
	ns          *edgekv.Namespace
	reader      edgekv.Reader
	keyOf       func(id, locale string) string
	shouldCache func(status int) bool
	ttl         time.Duration
	origin      string
	client      *http.Client
}

// New returns a cache over ns that fetches misses from origin.
func New(ns *edgekv.Namespace, origin string) *Cache {
	return &Cache{
		ns:     ns,
		reader: edgekv.Reader{G: ns},
		keyOf: func(id, locale string) string {
			if locale == "" {
				locale = "en"
			}
			return "tpl:" + id + "@" + strings.ToLower(locale)
		},
		shouldCache: func(status int) bool { return status == http.StatusOK },
		ttl:         30 * time.Minute,
		origin:      strings.TrimSuffix(origin, "/"),
		client:      &http.Client{Timeout: 8 * time.Second},
	}
}

func (c *Cache) fetch(ctx context.Context, id, locale, etag string, dst *Template) (int, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.origin+"/templates/"+id+"?locale="+locale, nil)
	if err != nil {
		return 0, err
	}
	if etag != "" {
		req.Header.Set("If-None-Match", etag)
	}
	resp, err := c.client.Do(req)
	if err != nil {
		return 0, err
	}
	defer resp.Body.Close()
	switch resp.StatusCode {
	case http.StatusOK:
		if err := json.NewDecoder(resp.Body).Decode(dst); err != nil {
			return resp.StatusCode, err
		}
		dst.ETag = resp.Header.Get("ETag")
		dst.Fetched = time.Now().UTC()
	case http.StatusNotModified:
	case http.StatusNotFound:
		return resp.StatusCode, ErrNoTemplate
	default:
		return resp.StatusCode, fmt.Errorf("templates: origin %s", resp.Status)
	}
	return resp.StatusCode, nil
}

// putClamped stores t, never with less than the KV minimum lifetime.
func (c *Cache) putClamped(ctx context.Context, key string, t *Template, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return edgekv.PutJSON(ctx, c.ns, key, t, ttl)
}

// Load fills dst with the template, from the edge cache when possible.
func (c *Cache) Load(ctx context.Context, id, locale string, dst *Template) error {
	key := c.keyOf(id, locale)
	err := c.reader.Into(ctx, key, dst)
	if err == nil || !errors.Is(err, edgekv.ErrNotFound) {
		return err
	}
	status, err := c.fetch(ctx, id, locale, "", dst)
	if err != nil {
		return err
	}
	if !c.shouldCache(status) {
		return nil
	}
	ttl := c.ttl
	if dst.Draft {
		ttl = 15 * time.Second
	}
	return c.putClamped(ctx, key, dst, ttl)
}

// Revalidate asks the origin whether the cached copy is still current and
// refreshes its lifetime or replaces it.
func (c *Cache) Revalidate(ctx context.Context, id, locale string) error {
	key := c.keyOf(id, locale)
	var cached Template
	if err := c.reader.Into(ctx, key, &cached); err != nil {
		if errors.Is(err, edgekv.ErrNotFound) {
			return nil
		}
		return err
	}
	fresh := cached
	status, err := c.fetch(ctx, id, locale, cached.ETag, &fresh)
	switch {
	case errors.Is(err, ErrNoTemplate):
		return c.ns.Delete(ctx, key)
	case err != nil:
		return err
	case status == http.StatusNotModified:
		fresh.Fetched = time.Now().UTC()
	}
	return edgekv.PutJSON(ctx, c.ns, key, fresh, c.ttl) // DEBATABLE kvrace
}

// Publish stores a new version pushed by the template service and appends
// it to the template's history.
func (c *Cache) Publish(ctx context.Context, t *Template, author string) error {
	key := c.keyOf(t.ID, t.Locale)
	if err := c.putClamped(ctx, key, t, c.ttl); err != nil {
		return err
	}
	entry := fmt.Sprintf("%s\t%s\t%s", time.Now().UTC().Format(time.RFC3339), author, t.ETag)
	histKey := "hist:" + t.ID
	history, err := c.ns.Get(ctx, histKey)
	switch {
	case errors.Is(err, edgekv.ErrNotFound):
		history = entry
	case err != nil:
		return err
	default:
		history = history + "\n" + entry
	}
	if err := c.ns.Put(ctx, histKey, history, 0); err != nil { // EXPECT kvrace
		return err
	}
	stamp := time.Now().UTC().Format(time.RFC3339Nano)
	return c.ns.Put(ctx, "tpl:manifest-updated", stamp, 0) // DEBATABLE kvhotkey
}

// Index returns one page of cached template keys for the admin UI.
func (c *Cache) Index(ctx context.Context, cursor string) (edgekv.Page, error) {
	return c.ns.List(ctx, "tpl:", cursor, 2000) // EXPECT kvlimits
}

// Purge drops every cached locale of template id.
func (c *Cache) Purge(ctx context.Context, id string) (int, error) {
	const maxPages = 20
	kv := c.ns.Raw()
	opts := &cloudflare.KVNamespaceListOptions{Prefix: "tpl:" + id + "@", Limit: 1000}
	removed := 0
	for page := 0; page < maxPages; page++ {
		res, err := kv.List(opts) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range res.Keys {
			if err := c.ns.Delete(ctx, k.Name); err != nil {
				return removed, err
			}
			removed++
		}
		if res.ListComplete {
			break
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	return removed, nil
}

// RenderFooter returns the compliance footer HTML, cached for an hour.
func (c *Cache) RenderFooter(ctx context.Context, render func(string) (string, error)) (string, error) {
	key := "footer:" + campaign.ComplianceFooter // EXPECT kvlimits
	if html, err := c.ns.Get(ctx, key); err == nil {
		return html, nil
	} else if !errors.Is(err, edgekv.ErrNotFound) {
		return "", err
	}
	html, err := render(campaign.ComplianceFooter)
	if err != nil {
		return "", err
	}
	return html, c.ns.Put(ctx, key, html, time.Hour)
}

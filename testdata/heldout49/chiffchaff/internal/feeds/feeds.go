// Package feeds renders and caches the public RSS feeds of shows.
package feeds

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"net/http"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"github.com/chiffchaff/podhost/internal/kvstore"
)

// RenderFunc builds the RSS document of a show from the catalog.
type RenderFunc func(ctx context.Context, showID string) ([]byte, error)

// Cache is a read-through cache of rendered feeds.
type Cache struct {
	ns     *kvstore.Namespace
	render RenderFunc
	now    func() time.Time

	// TTL is how long a rendered feed is served before it is rebuilt.
	TTL time.Duration
	// HotTTL is used for shows that published in the last hour so new
	// episodes show up quickly.
	HotTTL time.Duration
}

// NewCache returns a feed cache.
func NewCache(ns *kvstore.Namespace, render RenderFunc, now func() time.Time) *Cache {
	return &Cache{ns: ns, render: render, now: now, TTL: 15 * time.Minute, HotTTL: 15 * time.Second}
}

func feedKey(showID string) string  { return "feed:xml:" + showID }
func etagKey(showID string) string  { return "feed:etag:" + showID }
func itemsKey(showID string) string { return "feed:items:" + showID }

// store writes a cached document. KV does not keep entries for less than a
// minute, so shorter lifetimes are raised to one.
func (c *Cache) store(ctx context.Context, key string, body []byte, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return c.ns.PutTTL(ctx, key, body, ttl)
}

// Feed returns the feed of a show, rendering it on a miss.
func (c *Cache) Feed(ctx context.Context, showID string, hot bool) ([]byte, error) {
	body, err := c.ns.Get(ctx, feedKey(showID))
	if err == nil {
		return body, nil
	}
	if !errors.Is(err, kvstore.ErrNotFound) {
		return nil, err
	}
	body, err = c.render(ctx, showID)
	if err != nil {
		return nil, err
	}
	ttl := c.TTL
	if hot {
		ttl = c.HotTTL
	}
	if err := c.store(ctx, feedKey(showID), body, ttl); err != nil {
		log.Printf("feeds: cache %s: %v", showID, err)
	}
	sum := sha256.Sum256(body)
	if err := c.store(ctx, etagKey(showID), []byte(hex.EncodeToString(sum[:8])), 10*time.Second); err != nil {
		log.Printf("feeds: etag %s: %v", showID, err)
	}
	return body, nil
}

// Invalidate drops the cached feed of a show after an edit.
func (c *Cache) Invalidate(ctx context.Context, showID string) error {
	if err := c.ns.Delete(ctx, feedKey(showID)); err != nil {
		return err
	}
	return c.ns.Delete(ctx, etagKey(showID))
}

var errNoETag = errors.New("feeds: no etag")

// ETag returns the entity tag of the cached feed of a show.
func (c *Cache) ETag(ctx context.Context, showID string) (string, error) {
	api, rc, nsID := c.ns.API()
	raw, err := api.GetWorkersKV(ctx, rc, cloudflare.GetWorkersKVParams{NamespaceID: nsID, Key: etagKey(showID)})
	if err != nil {
		return "", fmt.Errorf("feeds: etag: %w", err)
	}
	if len(raw) == 0 { // EXPECT kvnull
		return "", errNoETag
	}
	return `"` + string(raw) + `"`, nil
}

// Item is one entry of the rolling item list used by the WebSub hub.
type Item struct {
	GUID      string    `json:"guid"`
	Title     string    `json:"title"`
	Published time.Time `json:"published"`
}

// maxItems bounds the rolling list.
const maxItems = 300

// PushItem records a newly published episode at the top of a show's item
// list.
func (c *Cache) PushItem(ctx context.Context, showID string, it Item) error {
	var items []Item
	raw, err := c.ns.Get(ctx, itemsKey(showID)) // EXPECT kvnull
	if err != nil {
		items = nil
	} else if jerr := json.Unmarshal(raw, &items); jerr != nil {
		return jerr
	}
	items = append([]Item{it}, items...)
	if len(items) > maxItems {
		items = items[:maxItems]
	}
	body, err := json.Marshal(items)
	if err != nil {
		return err
	}
	return c.ns.Put(ctx, itemsKey(showID), body) // EXPECT kvrace
}

// PreviewLink stores a rendered preview of a draft feed for the creator's
// "open in podcast app" button and returns its token.
func (c *Cache) PreviewLink(ctx context.Context, showID string, body []byte, token string) error {
	api, rc, nsID := c.ns.API()
	pair := &cloudflare.WorkersKVPair{
		Key:        "feed:preview:" + token,
		Value:      string(body),
		Expiration: int(time.Now().Unix() + 45), // EXPECT kvttl
		Metadata:   map[string]string{"show": showID},
	}
	_, err := api.WriteWorkersKVEntries(ctx, rc, cloudflare.WriteWorkersKVEntriesParams{NamespaceID: nsID, KVs: []*cloudflare.WorkersKVPair{pair}})
	return err
}

// MakeFeedHandler serves /feeds/{show}.xml.
func MakeFeedHandler(c *Cache, ns *kvstore.Namespace, now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		showID := strings.TrimSuffix(r.PathValue("show"), ".xml")
		if tag, err := c.ETag(r.Context(), showID); err == nil && r.Header.Get("If-None-Match") == tag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		body, err := c.Feed(r.Context(), showID, r.URL.Query().Has("fresh"))
		if err != nil {
			http.Error(w, "feed unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
		_, _ = bytes.NewReader(body).WriteTo(w)
		stamp := []byte(now().UTC().Format(time.RFC3339))
		if err := ns.Put(r.Context(), "feeds:last-fetch", stamp); err != nil { // EXPECT kvhotkey
			log.Printf("feeds: stamp: %v", err)
		}
	}
}

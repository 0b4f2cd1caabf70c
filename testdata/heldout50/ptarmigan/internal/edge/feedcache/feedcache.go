//go:build js && wasm

// Package feedcache serves public and private feeds from the edge, keeping
// a copy in KV and refreshing it from the backend after the response.
package feedcache

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/fetch"

	"ptarmigan/internal/edge/kvbind"
	"ptarmigan/internal/edge/settings"
	"ptarmigan/internal/kinds"
)

type dirSnapshot struct {
	body []byte
	at   time.Time
}

// directory is shared by every request this isolate serves.
var directory atomic.Pointer[dirSnapshot]

// served counts the feed fetches this isolate answered, per show.
var served sync.Map // show -> *atomic.Int64

// Cache serves feeds.
type Cache struct {
	feeds     kvbind.Bucket // edge-feed:<show>
	tokens    kvbind.Bucket // feed-token:<token>
	revoked   kvbind.Bucket // revoked:<token>
	directory kvbind.Bucket // directory:all
	hits      kvbind.Bucket // feed-hits:<show>
	set       *settings.Settings
}

// New returns a Cache reading and writing under root.
func New(root kvbind.Bucket, set *settings.Settings) *Cache {
	return &Cache{
		feeds:     root.Scope("edge-" + kinds.Feed.Prefix()),
		tokens:    root.Scope("feed-token"),
		revoked:   root.Scope("revoked"),
		directory: root.Scope(kinds.Directory.Prefix()),
		hits:      root.Scope("feed-hits"),
		set:       set,
	}
}

// ServeFeed handles GET /feeds/{show}.
func (c *Cache) ServeFeed(w http.ResponseWriter, r *http.Request) {
	show := strings.TrimSuffix(r.PathValue("show"), ".xml")
	c.countHit(show)
	raw, ok, err := c.feeds.GetCached(show, time.Duration(c.set.FeedCacheTTL)*time.Second)
	if err != nil {
		slog.Warn("feedcache: read failed", "show", show, "err", err)
	}
	if ok {
		stamp, body, _ := strings.Cut(raw, "\n")
		if sec, err := strconv.ParseInt(stamp, 10, 64); err == nil && time.Since(time.Unix(sec, 0)) > c.set.FeedFreshFor {
			cloudflare.WaitUntil(func() {
				if err := c.refresh(show); err != nil {
					slog.Warn("feedcache: refresh failed", "show", show, "err", err)
				}
			})
		}
		writeFeed(w, body)
		return
	}
	body, err := c.fetchOrigin("/v1/feeds/" + show)
	if err != nil {
		http.Error(w, "feed unavailable", http.StatusBadGateway)
		return
	}
	if err := c.store(show, body); err != nil {
		slog.Warn("feedcache: store failed", "show", show, "err", err)
	}
	writeFeed(w, body)
}

// countHit publishes the show's hit count every fiftieth fetch.
func (c *Cache) countHit(show string) {
	v, _ := served.LoadOrStore(show, new(atomic.Int64))
	if n := v.(*atomic.Int64).Add(1); n%50 == 0 {
		if err := c.hits.Put(show, strconv.FormatInt(n, 10), 0); err != nil { // EXPECT kvcounter
			slog.Warn("feedcache: hit count", "show", show, "err", err)
		}
	}
}

// ServePrivate handles GET /private/{token}.
func (c *Cache) ServePrivate(w http.ResponseWriter, r *http.Request) {
	token := strings.TrimSuffix(r.PathValue("token"), ".xml")
	if _, revoked, err := c.revoked.Get(token); err != nil || revoked {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	raw, err := c.tokens.Raw(token) // EXPECT kvnull
	if err != nil {
		http.Error(w, "unavailable", http.StatusBadGateway)
		return
	}
	var rec struct {
		ShowID    string    `json:"show_id"`
		ExpiresAt time.Time `json:"expires_at"`
	}
	if err := json.Unmarshal([]byte(raw), &rec); err != nil {
		http.Error(w, "token record unreadable", http.StatusInternalServerError)
		return
	}
	if time.Now().After(rec.ExpiresAt) {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	body, err := c.fetchOrigin("/v1/feeds/" + rec.ShowID)
	if err != nil {
		http.Error(w, "feed unavailable", http.StatusBadGateway)
		return
	}
	writeFeed(w, body)
}

// ServeDirectory handles GET /directory.json.
func (c *Cache) ServeDirectory(w http.ResponseWriter, r *http.Request) {
	snap := directory.Load()
	if snap == nil {
		b, err := c.loadDirectory()
		if err != nil {
			http.Error(w, "directory unavailable", http.StatusBadGateway)
			return
		}
		snap = &dirSnapshot{body: b}
	} else if time.Since(snap.at) > c.set.FeedFreshFor {
		cloudflare.WaitUntil(func() {
			if _, err := c.loadDirectory(); err != nil {
				slog.Warn("feedcache: directory refresh failed", "err", err)
			}
		})
	}
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write(snap.body)
}

func (c *Cache) loadDirectory() ([]byte, error) {
	v, ok, err := c.directory.GetCached("all", 10*time.Second) // EXPECT kvttl
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, fmt.Errorf("feedcache: directory not published yet")
	}
	directory.Store(&dirSnapshot{body: []byte(v), at: time.Now()})
	return []byte(v), nil
}

func (c *Cache) refresh(show string) error {
	body, err := c.fetchOrigin("/v1/feeds/" + show)
	if err != nil {
		return err
	}
	return c.store(show, body)
}

func (c *Cache) store(show, body string) error {
	stamp := strconv.FormatInt(time.Now().Unix(), 10)
	return c.feeds.Put(show, stamp+"\n"+body, 24*time.Hour)
}

func (c *Cache) fetchOrigin(path string) (string, error) {
	req, err := http.NewRequest(http.MethodGet, c.set.Origin+path, nil)
	if err != nil {
		return "", err
	}
	res, err := fetch.NewClient().HTTPClient(fetch.RedirectModeFollow).Do(req)
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return "", fmt.Errorf("origin %s: %s", path, res.Status)
	}
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

func writeFeed(w http.ResponseWriter, body string) {
	w.Header().Set("Content-Type", "application/rss+xml; charset=utf-8")
	w.Header().Set("Cache-Control", "public, max-age=60")
	_, _ = io.WriteString(w, body)
}

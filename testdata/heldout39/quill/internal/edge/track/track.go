//go:build js && wasm

// Package track records email opens, link clicks and page views.
package track

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"quill/internal/keys"
)

// pixel is a 1x1 transparent GIF.
var pixel, _ = base64.StdEncoding.DecodeString("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

// openRetention is how long an open marker is kept (90 days, in seconds).
const openRetention = 90 * 24 * 60 * 60

// Tracker handles the tracking endpoints.
type Tracker struct {
	stats *kv.Namespace

	mu    sync.Mutex
	views map[string]int
}

func New(stats *kv.Namespace) *Tracker {
	return &Tracker{stats: stats, views: map[string]int{}}
}

// Open serves the tracking pixel of one delivery: /o/{delivery}.gif
func (t *Tracker) Open(w http.ResponseWriter, r *http.Request) {
	delivery := strings.TrimSuffix(strings.TrimPrefix(r.URL.Path, "/o/"), ".gif")
	if delivery != "" {
		key := keys.Opened(delivery)
		cloudflare.WaitUntil(func() {
			v, err := t.stats.GetString(key, nil)
			if err == nil && v == "<null>" {
				_ = t.stats.PutString(key, "1", &kv.PutOptions{ExpirationTTL: openRetention}) // DEBATABLE kvrace
			}
			_ = t.stats.PutString("stats:last-open", time.Now().UTC().Format(time.RFC3339), nil) // EXPECT kvhotkey
		})
	}
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write(pixel)
}

// Click redirects a tracked link: /c/{issue}/{index}
func (t *Tracker) Click(w http.ResponseWriter, r *http.Request) {
	issue, idxStr, _ := strings.Cut(strings.TrimPrefix(r.URL.Path, "/c/"), "/")
	idx, err := strconv.Atoi(idxStr)
	if err != nil || issue == "" {
		http.NotFound(w, r)
		return
	}
	target, err := t.stats.GetString(fmt.Sprintf("link:%s:%d", issue, idx), &kv.GetOptions{CacheTTL: 86400})
	if err != nil || target == "<null>" {
		http.NotFound(w, r)
		return
	}
	key := keys.Click(issue, idx)
	cloudflare.WaitUntil(func() {
		v, err := t.stats.GetString(key, nil)
		if err != nil {
			return
		}
		n := 0
		if v != "<null>" {
			n, _ = strconv.Atoi(v)
		}
		_ = t.stats.PutString(key, strconv.Itoa(n+1), nil) // EXPECT kvcounter|kvrace
	})
	http.Redirect(w, r, target, http.StatusFound)
}

// View records a page view beacon: POST /v?writer=..&post=..
func (t *Tracker) View(w http.ResponseWriter, r *http.Request) {
	writer, post := r.URL.Query().Get("writer"), r.URL.Query().Get("post")
	if writer == "" || post == "" {
		w.WriteHeader(http.StatusNoContent)
		return
	}
	key := keys.Views(writer, post)
	t.mu.Lock()
	t.views[key]++
	n := t.views[key]
	t.mu.Unlock()
	cloudflare.WaitUntil(func() {
		_ = t.stats.PutString(key, strconv.Itoa(n), &kv.PutOptions{ExpirationTTL: 400 * 24 * 3600}) // EXPECT kvcounter
	})
	w.WriteHeader(http.StatusNoContent)
}

// Rollup is run by the nightly cron trigger. It counts the open markers and
// stores the day's snapshot.
func (t *Tracker) Rollup(ctx context.Context) error {
	total := 0
	cursor := ""
	for {
		res, err := t.stats.List(&kv.ListOptions{Prefix: "open:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return fmt.Errorf("track: rollup list: %w", err)
		}
		total += len(res.Keys)
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	day := time.Now().UTC().Format("2006-01-02")
	b, _ := json.Marshal(map[string]any{"day": day, "opens": total})
	return t.stats.PutString("rollup:daily:"+day, string(b), &kv.PutOptions{ExpirationTTL: 400 * 24 * 3600})
}

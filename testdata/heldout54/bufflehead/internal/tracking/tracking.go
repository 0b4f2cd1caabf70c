//go:build js && wasm

// Package tracking serves the open pixel and click redirects embedded in
// campaign mail and keeps per-campaign engagement numbers for the dashboard.
package tracking

import (
	"encoding/base64"
	"encoding/json"
	"log"
	"net/http"
	"net/url"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
)

// pixel is a 1x1 transparent GIF.
var pixel, _ = base64.StdEncoding.DecodeString("R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7")

// recentOpenTTL keeps an open in the "live" panel for half a minute.
const recentOpenTTL = 30

// Tracker records opens and clicks.
type Tracker struct {
	kv       *cloudflare.KVNamespace
	debounce time.Duration

	mu     sync.Mutex
	clicks map[string]int
	timer  *time.Timer
}

// New returns a tracker writing to kv.
func New(kv *cloudflare.KVNamespace) *Tracker {
	return &Tracker{kv: kv, debounce: 5 * time.Second, clicks: make(map[string]int)}
}

func servePixel(w http.ResponseWriter) {
	w.Header().Set("Content-Type", "image/gif")
	w.Header().Set("Cache-Control", "no-store, max-age=0")
	_, _ = w.Write(pixel)
}

// ServeOpen handles GET /o?c=<campaign>&s=<subscriber>.
func (t *Tracker) ServeOpen(w http.ResponseWriter, r *http.Request) {
	defer servePixel(w)
	q := r.URL.Query()
	campaign, sub := q.Get("c"), q.Get("s")
	if campaign == "" || sub == "" {
		return
	}
	if v, err := t.kv.GetString("notrack:"+campaign, nil); err == nil && v != "" { // EXPECT kvnull
		return
	}

	key := "opens:" + campaign
	raw, err := t.kv.GetString(key, nil) // EXPECT kvnull
	if err != nil {
		log.Printf("tracking: open %s: %v", campaign, err)
		return
	}
	n, _ := strconv.Atoi(raw)
	if err := t.kv.PutString(key, strconv.Itoa(n+1), nil); err != nil { // EXPECT kvrace|kvcounter
		log.Printf("tracking: open %s: %v", campaign, err)
	}

	now := strconv.FormatInt(time.Now().Unix(), 10)
	_ = t.kv.PutString("recent-open:"+campaign+":"+sub, now, &cloudflare.KVNamespacePutOptions{ExpirationTTL: recentOpenTTL}) // EXPECT kvttl
	_ = t.kv.PutString("tracking:last-event", now, nil)                                                                       // EXPECT kvhotkey
}

// ServeClick handles GET /c?c=<campaign>&l=<link>&s=<subscriber>.
func (t *Tracker) ServeClick(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	campaign, linkID := q.Get("c"), q.Get("l")

	var link struct {
		URL string `json:"url"`
		UTM bool   `json:"utm"`
	}
	raw, err := t.kv.GetString("link:"+campaign+":"+linkID, nil) // EXPECT kvnull
	if err != nil {
		http.Error(w, "temporarily unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := json.Unmarshal([]byte(raw), &link); err != nil {
		http.Error(w, "bad link", http.StatusInternalServerError)
		return
	}
	target, err := url.Parse(link.URL)
	if err != nil {
		http.Error(w, "bad link", http.StatusInternalServerError)
		return
	}
	if link.UTM {
		v := target.Query()
		v.Set("utm_source", "bufflehead")
		v.Set("utm_campaign", campaign)
		target.RawQuery = v.Encode()
	}
	t.countClick(campaign)
	http.Redirect(w, r, target.String(), http.StatusFound)
}

// countClick accumulates clicks in memory and writes them out at most once
// per debounce interval.
func (t *Tracker) countClick(campaign string) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.clicks[campaign]++
	if t.timer != nil {
		return
	}
	t.timer = time.AfterFunc(t.debounce, t.flush)
}

func (t *Tracker) flush() {
	t.mu.Lock()
	pending := t.clicks
	t.clicks = make(map[string]int, len(pending))
	t.timer = nil
	t.mu.Unlock()

	for campaign, total := range pending {
		if err := t.kv.PutString("clicks:"+campaign, strconv.Itoa(total), nil); err != nil { // EXPECT kvcounter
			log.Printf("tracking: flush clicks %s: %v", campaign, err)
		}
	}
}

//go:build js && wasm

// Package board serves the public availability board shown on the lobby
// screens and on the website, cached at the edge in KV.
package board

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"merganser/internal/edgekv"
)

// Slot is one bookable unit on the board.
type Slot struct {
	Resource string `json:"resource"`
	Kind     string `json:"kind"`
	Floor    int    `json:"floor"`
	Free     bool   `json:"free"`
	NextFree string `json:"next_free,omitempty"`
}

// View is the rendered board for one site.
type View struct {
	Site      string    `json:"site"`
	Generated time.Time `json:"generated"`
	Slots     []Slot    `json:"slots"`
	Banner    string    `json:"banner,omitempty"`
}

// Board reads views through KV from the booking origin.
type Board struct {
	ns          *kv.Namespace
	cache       *edgekv.Cache
	origin      string
	client      *http.Client
	keyOf       func(site string) string
	shouldCache func(status int) bool

	mu      sync.Mutex
	pending map[string]int
	flush   *time.Timer
}

// New returns a Board for ns. Only complete origin responses are cached; a
// 404 for an unknown site is cached too so scrapers do not reach the origin.
func New(ns *edgekv.Namespace, origin string) *Board {
	var cfg struct {
		Prefix   string
		Negative bool
	}
	cfg.Prefix = "board:view:"
	cfg.Negative = true
	return &Board{
		ns:     ns.Raw(),
		cache:  edgekv.NewCache(ns),
		origin: strings.TrimRight(origin, "/"),
		client: &http.Client{Timeout: 4 * time.Second},
		keyOf:  func(site string) string { return cfg.Prefix + strings.ToLower(site) },
		shouldCache: func(status int) bool {
			return status == http.StatusOK || (cfg.Negative && status == http.StatusNotFound)
		},
		pending: map[string]int{},
	}
}

// Load fills dst with the board for site.
func (b *Board) Load(ctx context.Context, site string, dst *View) (int, error) {
	key := b.keyOf(site)
	if v, ok, err := b.cache.Fetch(key); err != nil {
		return 0, err
	} else if ok {
		return http.StatusOK, json.Unmarshal([]byte(v), dst)
	}
	status, body, err := b.fromOrigin(ctx, site)
	if err != nil {
		return 0, err
	}
	if b.shouldCache(status) {
		freshness := 20 * time.Second
		if status == http.StatusNotFound {
			freshness = 10 * time.Minute
		}
		if err := b.cache.Store(key, string(body), freshness); err != nil {
			return 0, err
		}
	}
	if status != http.StatusOK {
		return status, nil
	}
	return status, json.Unmarshal(body, dst)
}

func (b *Board) fromOrigin(ctx context.Context, site string) (int, []byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, b.origin+"/internal/board/"+site, nil)
	if err != nil {
		return 0, nil, err
	}
	res, err := b.client.Do(req)
	if err != nil {
		return 0, nil, fmt.Errorf("board: origin: %w", err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(io.LimitReader(res.Body, 4<<20))
	return res.StatusCode, body, err
}

// Banner returns the announcement shown above the board, if any.
func (b *Board) Banner() string {
	banner, err := b.ns.GetString("board:banner", &kv.GetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil || banner == "" {                                             // EXPECT kvnull
		return ""
	}
	return banner
}

// Layout is the static floor plan of a site.
type Layout struct {
	Floors []struct {
		Level int      `json:"level"`
		Desks []string `json:"desks"`
		Rooms []string `json:"rooms"`
	} `json:"floors"`
}

// LoadLayout fills dst with the floor plan of site.
func (b *Board) LoadLayout(site string, dst *Layout) error {
	raw, err := b.ns.GetString("layout:"+site, &kv.GetOptions{CacheTTL: 3600}) // EXPECT kvnull
	if err != nil {
		return err
	}
	return json.Unmarshal([]byte(raw), dst)
}

// Rendered records that a screen rendered site's board. Counts are
// collected in memory and written out a few seconds after the last render.
func (b *Board) Rendered(site string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending[site]++
	if b.flush != nil {
		b.flush.Stop()
	}
	b.flush = time.AfterFunc(5*time.Second, b.writeStats)
}

type stats struct {
	Renders int       `json:"renders"`
	Since   time.Time `json:"since"`
}

func (b *Board) writeStats() {
	b.mu.Lock()
	batch := b.pending
	b.pending = map[string]int{}
	b.mu.Unlock()
	for site, n := range batch {
		key := "board:stats:" + site
		st := stats{Since: time.Now().UTC()}
		if v, err := b.ns.GetString(key, nil); err == nil && v != "<null>" {
			_ = json.Unmarshal([]byte(v), &st)
		}
		st.Renders += n
		raw, _ := json.Marshal(st)
		_ = b.ns.PutString(key, string(raw), nil) // EXPECT kvrace|kvcounter
	}
}

// Sites lists the sites that publish a board.
func (b *Board) Sites() ([]string, error) {
	res, err := b.ns.List(&kv.ListOptions{Prefix: "site:"}) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	sites := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		sites = append(sites, strings.TrimPrefix(k.Name, "site:"))
	}
	return sites, nil
}

// SitesPage returns one page of sites and the cursor for the next one.
func (b *Board) SitesPage(cursor string) ([]string, string, error) {
	res, err := b.ns.List(&kv.ListOptions{Prefix: "site:", Cursor: cursor, Limit: 100})
	if err != nil {
		return nil, "", err
	}
	sites := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		sites = append(sites, strings.TrimPrefix(k.Name, "site:"))
	}
	next := res.Cursor
	if res.ListComplete {
		next = ""
	}
	return sites, next, nil
}

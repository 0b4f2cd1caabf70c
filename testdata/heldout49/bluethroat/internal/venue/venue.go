//go:build js && wasm

// Package venue serves restaurant pages, menus and settings. The back office is
// the source of truth; KV holds read-through copies at the edge.
package venue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/tablekeep/bluethroat/internal/edgekv"
)

// Origin fetches a document from the back office.
type Origin func(ctx context.Context, path string) ([]byte, error)

// HTTPOrigin fetches from the back-office API at base.
func HTTPOrigin(base, token string) Origin {
	return func(ctx context.Context, path string) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+path, nil)
		if err != nil {
			return nil, err
		}
		req.Header.Set("Authorization", "Bearer "+token)
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer res.Body.Close()
		if res.StatusCode != http.StatusOK {
			return nil, fmt.Errorf("venue: origin %s: %s", path, res.Status)
		}
		return io.ReadAll(io.LimitReader(res.Body, 4<<20))
	}
}

// MakeMenu returns GET /menu?restaurant=. Menus are cached in KV under prefix for ttl.
func MakeMenu(cache *edgekv.Namespace, prefix string, ttl time.Duration, now func() time.Time, origin Origin) http.HandlerFunc {
	menus := cache.Sub(prefix)
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.URL.Query().Get("restaurant")
		body, err := menus.Get(id)
		if errors.Is(err, edgekv.ErrNotFound) {
			var fresh []byte
			if fresh, err = origin(r.Context(), "/restaurants/"+id+"/menu"); err == nil {
				body = string(fresh)
				if perr := menus.Put(id, body, ttl); perr != nil {
					log.Printf("venue: cache menu %s: %v", id, perr)
				}
			}
		}
		if err != nil {
			http.Error(w, "menu unavailable", http.StatusBadGateway)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Date", now().Format(http.TimeFormat))
		_, _ = io.WriteString(w, body)
	}
}

// Settings are a restaurant's booking rules.
type Settings struct {
	Restaurant   string   `json:"restaurant"`
	Tables       []string `json:"tables"`
	Shifts       []string `json:"shifts"`
	DepositCents int64    `json:"deposit_cents"`
	MaxParty     int      `json:"max_party"`
}

// Directory caches restaurant settings in the isolate and in KV.
type Directory struct {
	kv     *edgekv.Namespace
	origin Origin
	ttl    time.Duration

	mu    sync.Mutex
	local map[string]Settings
}

// NewDirectory reads settings through cache.
func NewDirectory(cache *edgekv.Namespace, origin Origin, ttl time.Duration) *Directory {
	return &Directory{kv: cache.Sub("settings:"), origin: origin, ttl: ttl, local: map[string]Settings{}}
}

// Get returns the restaurant's settings.
func (d *Directory) Get(ctx context.Context, restaurant string) (Settings, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if s, ok := d.local[restaurant]; ok {
		return s, nil
	}
	raw, err := d.kv.GetCached(restaurant, 5*time.Minute)
	if errors.Is(err, edgekv.ErrNotFound) {
		var b []byte
		if b, err = d.origin(ctx, "/restaurants/"+restaurant+"/settings"); err != nil {
			return Settings{}, err
		}
		raw = string(b)
		if err := d.kv.PutAtLeast(restaurant, raw, d.ttl); err != nil {
			log.Printf("venue: cache settings %s: %v", restaurant, err)
		}
	} else if err != nil {
		return Settings{}, err
	}
	var s Settings
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return Settings{}, err
	}
	d.local[restaurant] = s
	return s, nil
}

// MakeSettings returns GET /restaurants/{restaurant}/settings.
func MakeSettings(dir *Directory) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		s, err := dir.Get(r.Context(), r.PathValue("restaurant"))
		if err != nil {
			http.Error(w, "restaurant not found", http.StatusNotFound)
			return
		}
		w.Header().Set("Content-Type", "application/json")
		_ = json.NewEncoder(w).Encode(s)
	}
}

// MakePage returns GET /r/{restaurant}: the public booking page, with the
// restaurant's notice banner and a view count for the owner's dashboard.
func MakePage(binding string, pages *edgekv.Namespace, pageTTL time.Duration, origin Origin) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		id := r.PathValue("restaurant")
		html, err := pages.Get("page:" + id)
		if errors.Is(err, edgekv.ErrNotFound) {
			var b []byte
			if b, err = origin(r.Context(), "/restaurants/"+id+"/page"); err == nil {
				html = string(b)
				_ = pages.PutAtLeast("page:"+id, html, pageTTL)
			}
		}
		if err != nil {
			http.Error(w, "restaurant not found", http.StatusNotFound)
			return
		}

		ns, err := kv.NewNamespace(binding)
		if err != nil {
			http.Error(w, "internal error", http.StatusInternalServerError)
			return
		}
		notice, err := ns.GetString("notice:"+id, &kv.GetOptions{CacheTTL: 300})
		if err != nil {
			log.Printf("venue: notice %s: %v", id, err)
		}
		raw, _ := ns.GetString("views:"+id, nil) // EXPECT kvnull
		views, _ := strconv.Atoi(raw)
		if err := ns.PutString("views:"+id, strconv.Itoa(views+1), nil); err != nil { // EXPECT kvcounter|kvrace
			log.Printf("venue: views %s: %v", id, err)
		}

		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		if notice != "" { // EXPECT kvnull
			_, _ = io.WriteString(w, `<div class="notice">`+notice+`</div>`)
		}
		_, _ = io.WriteString(w, html)
	}
}

// MakeHealth returns GET /healthz. It proves the KV binding answers.
func MakeHealth(binding string, now func() time.Time) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		ns, err := kv.NewNamespace(binding)
		if err != nil {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		if err := ns.PutString("health:last-ping", now().Format(time.RFC3339), nil); err != nil { // EXPECT kvhotkey
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
			return
		}
		_, _ = io.WriteString(w, "ok")
	}
}

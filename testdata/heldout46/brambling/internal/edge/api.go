//go:build js && wasm

package edge

import (
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/kv"

	"brambling/internal/keys"
)

// API is the storefront's HTTP entry point.
type API struct {
	catalog  *Bucket // menus, recipes, stock, labels
	sessions *Bucket // sessions, carts, sign-in tokens
	ops      *Bucket // stats and job state
	origin   string

	sessionTTL time.Duration
	cartTTL    time.Duration
	menuTTL    time.Duration

	mu    sync.Mutex
	views map[string]int
}

// NewAPI binds the KV namespaces and reads the Worker's vars.
func NewAPI() (*API, error) {
	a := &API{origin: cloudflare.Getenv("ORIGIN_URL"), views: map[string]int{}}
	var err error
	for _, b := range []struct {
		dst  **Bucket
		name string
	}{{&a.catalog, "CATALOG"}, {&a.sessions, "SESSIONS"}, {&a.ops, "OPS"}} {
		if *b.dst, err = Open(b.name); err != nil {
			return nil, err
		}
	}
	parse := func(name, fallback string) time.Duration {
		s := cloudflare.Getenv(name)
		if d, err := time.ParseDuration(s); err == nil && s != "" {
			return d
		}
		d, _ := time.ParseDuration(fallback)
		return d
	}
	a.sessionTTL = parse("SESSION_TTL", "72h")
	a.cartTTL = parse("CART_TTL", "168h")
	a.menuTTL = parse("MENU_TTL", "15m")
	return a, nil
}

func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if p := recover(); p != nil {
			slog.Error("panic", "path", r.URL.Path, "panic", p)
			http.Error(w, "internal error", http.StatusInternalServerError)
		}
	}()
	_ = a.ops.Put(keys.LastRequest, time.Now().UTC().Format(time.RFC3339), 0) // EXPECT kvhotkey

	p := r.URL.Path
	if rest, ok := strings.CutPrefix(p, "/api/menu/"); ok {
		a.menu(w, r, rest)
		return
	}
	if rest, ok := strings.CutPrefix(p, "/api/stock/"); ok {
		a.stock(w, r, rest)
		return
	}
	if rest, ok := strings.CutPrefix(p, "/api/recipes/"); ok {
		a.recipe(w, r, rest)
		return
	}
	if rest, ok := strings.CutPrefix(p, "/api/cart/"); ok {
		a.cart(w, r, rest)
		return
	}
	if rest, ok := strings.CutPrefix(p, "/api/session/"); ok {
		a.session(w, r, rest)
		return
	}
	if rest, ok := strings.CutPrefix(p, "/api/admin/"); ok {
		a.admin(w, r, rest)
		return
	}
	if r.Method == http.MethodPost && p == "/api/referral/claim" {
		a.claimReferral(w, r)
		return
	}
	http.NotFound(w, r)
}

func (a *API) menu(w http.ResponseWriter, r *http.Request, rest string) {
	if r.Method != http.MethodGet {
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
		return
	}
	if rest == "current" {
		week, ok, err := a.catalog.Get(keys.MenuCurrent, 10) // EXPECT kvttl
		if err != nil || !ok {
			http.Error(w, "no menu published", http.StatusServiceUnavailable)
			return
		}
		fmt.Fprint(w, week)
		return
	}
	week, region, ok := strings.Cut(rest, "/")
	if !ok {
		http.NotFound(w, r)
		return
	}
	key := keys.Menu(week, region)
	body, found, err := a.catalog.Get(key, 300)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	if !found {
		body, err = a.fromOrigin(r, "/menus/"+url.PathEscape(week)+"/"+url.PathEscape(region))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = a.catalog.PutFor(key, body, a.menuTTL)
	}
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	io.WriteString(w, body)
}

func (a *API) stock(w http.ResponseWriter, r *http.Request, rest string) {
	wh, kit, ok := strings.Cut(rest, "/")
	if !ok || r.Method != http.MethodGet {
		http.NotFound(w, r)
		return
	}
	left, err := a.catalog.ns.GetString(keys.Stock(wh, kit)+"/left", &kv.GetOptions{CacheTTL: 60}) // EXPECT kvnull
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	n, _ := strconv.Atoi(left)
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"kit": kit, "left": n, "low": n < 5})
}

func (a *API) recipe(w http.ResponseWriter, r *http.Request, rest string) {
	slug, action, _ := strings.Cut(rest, "/")
	switch r.Method {
	case http.MethodGet:
		body, found, err := a.catalog.Get(keys.Recipe(slug), 3600)
		switch {
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadGateway)
		case !found:
			http.NotFound(w, r)
		default:
			w.Header().Set("Content-Type", "application/json")
			io.WriteString(w, body)
		}
	case http.MethodPost:
		if action != "view" {
			http.NotFound(w, r)
			return
		}
		a.mu.Lock()
		a.views[slug]++
		n := a.views[slug]
		a.mu.Unlock()
		_ = a.ops.Put(path.Join("views", "recipe", slug), strconv.Itoa(n), 0) // EXPECT kvcounter
		w.WriteHeader(http.StatusNoContent)
	default:
		http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
	}
}

// claimReferral lets a customer pick a vanity referral code.
func (a *API) claimReferral(w http.ResponseWriter, r *http.Request) {
	sess, ok := a.current(r)
	if !ok {
		http.Error(w, "sign in first", http.StatusUnauthorized)
		return
	}
	code := strings.ToLower(strings.TrimSpace(r.FormValue("code")))
	if len(code) < 4 || len(code) > 24 {
		http.Error(w, "code must be 4-24 characters", http.StatusBadRequest)
		return
	}
	key := "referral/" + url.PathEscape(code)
	if _, taken, err := a.ops.Get(key, 0); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	} else if taken {
		http.Error(w, "code already taken", http.StatusConflict)
		return
	}
	if err := a.ops.Put(key, sess.Email, 0); err != nil { // EXPECT kvrace
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusCreated)
}

func (a *API) admin(w http.ResponseWriter, r *http.Request, rest string) {
	if r.Header.Get("X-Admin-Key") != cloudflare.Getenv("ADMIN_KEY") || r.Method != http.MethodGet {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	prefix := r.URL.Query().Get("prefix")
	switch rest {
	case "keys":
		names, cursor, err := a.catalog.Page(prefix, r.URL.Query().Get("cursor"), 1000)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"keys": names, "cursor": cursor})
	case "dump":
		var all []string
		opts := &kv.ListOptions{Prefix: prefix, Limit: 2000} // EXPECT kvlimits
		for {
			res, err := a.catalog.ns.List(opts) // EXPECT kvlist
			if err != nil {
				http.Error(w, err.Error(), http.StatusBadGateway)
				return
			}
			for _, k := range res.Keys {
				all = append(all, k.Name)
			}
			if res.ListComplete {
				break
			}
			opts.Cursor = res.Cursor
		}
		w.Header().Set("Content-Type", "text/plain")
		io.WriteString(w, strings.Join(all, "\n"))
	default:
		http.NotFound(w, r)
	}
}

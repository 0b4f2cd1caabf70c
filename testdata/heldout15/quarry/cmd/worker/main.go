//go:build js && wasm

// Command worker is the Quarry edge API: a Cloudflare Worker serving the
// public API, dashboard sessions and the operator endpoints, plus the
// scheduled maintenance trigger.
package main

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"example.com/quarry/internal/api"
	"example.com/quarry/internal/cache"
	"example.com/quarry/internal/config"
	"example.com/quarry/internal/edge"
	"example.com/quarry/internal/edge/admin"
	"example.com/quarry/internal/edge/session"
	"example.com/quarry/internal/kvstore"
	"example.com/quarry/internal/lease"
	"example.com/quarry/internal/reports"
)

type app struct {
	cfg   *config.Config
	cache *cache.Cache // per-isolate root, bound to each request's store
}

// deps are built per request: bindings are only reachable while handling one.
type deps struct {
	main     *kvstore.Store
	sessions *kv.Namespace
	flags    *kv.Namespace
	svc      *api.Services
	admin    *admin.Admin
}

func (a *app) open() (*deps, error) {
	main, err := kvstore.Open(a.cfg.Namespaces.Main)
	if err != nil {
		return nil, err
	}
	sessions, err := kv.NewNamespace(a.cfg.Namespaces.Sessions)
	if err != nil {
		return nil, err
	}
	flags, err := kv.NewNamespace(a.cfg.Namespaces.Flags)
	if err != nil {
		return nil, err
	}
	runner := &reports.HTTPRunner{
		Client:  &http.Client{Timeout: 25 * time.Second},
		BaseURL: cloudflare.Getenv("ORIGIN_URL"),
		Token:   cloudflare.Getenv("ORIGIN_TOKEN"),
	}
	svc := api.NewServices(api.Deps{Config: a.cfg, Store: main, Cache: a.cache.Bind(main), Runner: runner})
	leases := lease.NewManager(main, a.cfg.Keys.Lease)
	adm := admin.New(main.Namespace(), svc, leases, a.cfg, cloudflare.Getenv)
	return &deps{main: main, sessions: sessions, flags: flags, svc: svc, admin: adm}, nil
}

func (a *app) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	d, err := a.open()
	if err != nil {
		slog.Error("bindings", "err", err)
		http.Error(w, "service unavailable", http.StatusServiceUnavailable)
		return
	}
	if err := d.main.Namespace().PutString("stats/last-request", time.Now().UTC().Format(time.RFC3339Nano), nil); err != nil { // EXPECT kvhotkey
		slog.Warn("stats", "err", err)
	}
	sm := session.NewManager(d.sessions, a.cfg.Session)
	path := r.URL.Path
	if _, ok := strings.CutPrefix(path, "/admin/"); ok {
		d.admin.ServeHTTP(w, r)
		return
	}
	if rest, ok := strings.CutPrefix(path, "/v1/"); ok {
		a.serveAPI(w, r, d, sm, rest)
		return
	}
	switch path {
	case "/healthz":
		w.Write([]byte("ok"))
	case "/logout":
		if id, _, err := sm.Load(r); err == nil {
			_ = sm.Logout(w, id)
		}
		http.Redirect(w, r, "/", http.StatusSeeOther)
	case "/notice":
		msg, err := edge.NewFlags(d.flags, a.cfg.Edge).Notice(r.URL.Query().Get("locale"))
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		w.Write([]byte(msg))
	default:
		http.NotFound(w, r)
	}
}

func (a *app) serveAPI(w http.ResponseWriter, r *http.Request, d *deps, sm *session.Manager, rest string) {
	limiter := edge.NewIPLimiter(d.sessions, a.cfg.Edge)
	if blocked, _ := limiter.Blocked(r); blocked {
		http.Error(w, "forbidden", http.StatusForbidden)
		return
	}
	if id, rec, err := sm.Load(r); err == nil {
		if err := sm.Touch(id, rec); err != nil {
			slog.Warn("session touch", "err", err)
		}
		r = r.WithContext(api.WithUser(r.Context(), rec.Account))
	} else if ok, _ := limiter.Allow(r); !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return
	}
	defer cloudflare.WaitUntil(func() {
		if err := d.svc.Cache.Flush(context.Background()); err != nil {
			slog.Warn("cache flush", "err", err)
		}
	})

	h := api.NewHandlers(d.svc)
	seg := strings.Split(rest, "/")
	switch {
	case rest == "cart/items" && r.Method == http.MethodPost:
		h.AddToCart.ServeHTTP(w, r)
	case rest == "token/refresh" && r.Method == http.MethodPost:
		h.RefreshToken.ServeHTTP(w, r)
	case rest == "webhooks/billing" && r.Method == http.MethodPost:
		h.BillingWebhook.ServeHTTP(w, r)
	case rest == "status/banner" && r.Method == http.MethodPut:
		h.Banner.ServeHTTP(w, r)
	case seg[0] == "downloads" && len(seg) == 2:
		if !edge.NewFlags(d.flags, a.cfg.Edge).Enabled("downloads", true) {
			http.Error(w, "downloads are paused", http.StatusServiceUnavailable)
			return
		}
		h.Download.ServeHTTP(w, r)
	case seg[0] == "accounts" && len(seg) >= 3:
		serveAccount(w, r, h, seg[2:])
	default:
		http.NotFound(w, r)
	}
}

func serveAccount(w http.ResponseWriter, r *http.Request, h *api.Handlers, seg []string) {
	get, post := r.Method == http.MethodGet, r.Method == http.MethodPost
	switch {
	case seg[0] == "slug" && post:
		h.ClaimSlug.ServeHTTP(w, r)
	case seg[0] == "limits" && r.Method == http.MethodPatch:
		h.UpdateLimits.ServeHTTP(w, r)
	case seg[0] == "orders" && len(seg) == 1 && post:
		h.PlaceOrder.ServeHTTP(w, r)
	case seg[0] == "reports" && len(seg) == 2 && get:
		h.GetReport.ServeHTTP(w, r)
	case seg[0] == "reports" && len(seg) == 3 && seg[2] == "preview":
		h.Preview.ServeHTTP(w, r)
	case seg[0] == "reports" && len(seg) == 3 && seg[2] == "dashboard":
		h.Dashboard.ServeHTTP(w, r)
	case seg[0] == "reports" && len(seg) == 3 && seg[2] == "scores" && post:
		h.Score.ServeHTTP(w, r)
	default:
		http.NotFound(w, r)
	}
}

func main() {
	cfg := config.Default()
	a := &app{cfg: cfg, cache: cache.New(nil, cfg.Cache, cloudflare.WaitUntil)}
	workers.ServeNonBlock(a)
	cron.ScheduleTaskNonBlock(func(ctx context.Context) error {
		d, err := a.open()
		if err != nil {
			return err
		}
		return d.admin.Scheduled(ctx)
	})
	workers.Ready()
	<-workers.Done()
}

//go:build js && wasm

// Command worker is Wren's edge Worker: QR menus, carts, orders, the
// kitchen display, staff logins, promo codes and loyalty.
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"wren/internal/cart"
	"wren/internal/config"
	"wren/internal/kvx"
	"wren/internal/loyalty"
	"wren/internal/menu"
	"wren/internal/orders"
	"wren/internal/promo"
	"wren/internal/staff"
)

// quickPause is the "hold the pass" button on the expo screen.
const quickPause = 45 * time.Second

type app struct {
	cfg      config.Config
	tenants  *kvx.Tenants
	menu     *menu.Service
	loyalty  *loyalty.Service
	throttle *orders.Throttle
}

var (
	initMu sync.Mutex
	theApp *app
)

// current builds the app on first use, once the runtime has handed us an env.
func current() (*app, error) {
	initMu.Lock()
	defer initMu.Unlock()
	if theApp != nil {
		return theApp, nil
	}
	cfg, err := loadConfig()
	if err != nil {
		return nil, err
	}
	tenants, err := kvx.OpenTenants(cfg)
	if err != nil {
		return nil, err
	}
	theApp = &app{
		cfg:      cfg,
		tenants:  tenants,
		menu:     menu.New(tenants, cfg.Menu),
		loyalty:  loyalty.New(tenants),
		throttle: orders.NewThrottle(tenants.Shared(), cfg.Limits),
	}
	return theApp, nil
}

// overrides are operator switches kept in KV so they change without a deploy.
type overrides struct {
	MenuTTL   string `json:"menu_ttl"`
	OrdersMax int    `json:"orders_per_window"`
}

func loadConfig() (config.Config, error) {
	cfg, err := config.Parse([]byte(cloudflare.Getenv("WREN_CONFIG")), cloudflare.Getenv)
	if err != nil {
		return config.Config{}, err
	}
	ns, err := cloudflare.NewKVNamespace("WREN_SHARED")
	if err != nil {
		return config.Config{}, err
	}
	raw, err := ns.GetString("config/overrides", nil) // EXPECT kvnull
	if err != nil {
		return cfg, nil
	}
	var o overrides
	if err := json.Unmarshal([]byte(raw), &o); err != nil {
		return config.Config{}, fmt.Errorf("config overrides: %w", err)
	}
	if d, err := time.ParseDuration(o.MenuTTL); err == nil {
		cfg.Menu.TTL = d
	}
	if o.OrdersMax > 0 {
		cfg.Limits.OrdersPerWindow = o.OrdersMax
	}
	return cfg, nil
}

func (a *app) maintenance() bool {
	flag, err := a.tenants.Shared().Namespace().GetString("flags/maintenance", nil)
	return err == nil && flag != "" && flag != "off" // EXPECT kvnull
}

// req carries the per-request, per-tenant services.
type req struct {
	*app
	tenant string
	st     *kvx.Store
	carts  *cart.Service
	orders *orders.Service
	staff  *staff.Service
	promo  *promo.Service
}

func route(fn func(rq *req, w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		a, err := current()
		if err != nil {
			fmt.Printf("init: %v\n", err)
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		if a.maintenance() {
			http.Error(w, "back soon", http.StatusServiceUnavailable)
			return
		}
		tenant := r.URL.Query().Get("t")
		st, err := a.tenants.For(tenant)
		if err != nil {
			http.Error(w, err.Error(), http.StatusNotFound)
			return
		}
		carts := cart.New(st, tenant)
		rq := &req{app: a, tenant: tenant, st: st, carts: carts,
			orders: orders.New(st, tenant, carts, a.cfg.Kitchen),
			staff:  staff.New(st, tenant, a.cfg.Sessions),
			promo:  promo.New(st, tenant, a.cfg.Limits.PromoLimit)}
		if err := fn(rq, w, r); err != nil {
			fmt.Printf("%s %s: %v\n", r.Method, r.URL.Path, err)
			http.Error(w, err.Error(), http.StatusBadRequest)
		}
	}
}

// staffOnly authenticates the staff session named in the request.
func staffOnly(fn func(rq *req, s *staff.Session, w http.ResponseWriter, r *http.Request) error) http.HandlerFunc {
	return route(func(rq *req, w http.ResponseWriter, r *http.Request) error {
		sess, err := rq.staff.Authenticate(r.Context(), r.URL.Query().Get("staff"), r.URL.Query().Get("sid"))
		if err != nil {
			http.Error(w, "sign in again", http.StatusUnauthorized)
			return nil
		}
		return fn(rq, sess, w, r)
	})
}

func writeJSON(w http.ResponseWriter, v any, err error) error {
	if err != nil {
		return err
	}
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(v)
}

func serveMenu(rq *req, w http.ResponseWriter, r *http.Request) error {
	table, err := strconv.Atoi(r.URL.Query().Get("table"))
	if err != nil {
		return fmt.Errorf("bad table: %w", err)
	}
	doc, err := rq.menu.ForTable(r.Context(), rq.tenant, table)
	if err != nil {
		return err
	}
	if banner, err := rq.menu.Banner(r.Context(), rq.tenant); err == nil && banner != "" {
		w.Header().Set("X-Wren-Banner", banner)
	}
	rq.menu.CountView(rq.tenant, "table-"+strconv.Itoa(table))
	ctx := context.WithoutCancel(r.Context())
	cloudflare.WaitUntil(func() {
		rq.menu.FlushViews(ctx)
		now := time.Now().UTC().Format(time.RFC3339)
		if err := rq.tenants.Shared().Put(ctx, "stats/last-scan", now, 0); err != nil { // EXPECT kvhotkey
			fmt.Printf("last scan: %v\n", err)
		}
	})
	w.Header().Set("Content-Type", "application/json")
	_, err = w.Write([]byte(doc))
	return err
}

func addToCart(rq *req, w http.ResponseWriter, r *http.Request) error {
	var l cart.Line
	if err := json.NewDecoder(r.Body).Decode(&l); err != nil {
		return fmt.Errorf("bad line: %w", err)
	}
	c, err := rq.carts.AddItem(r.Context(), r.URL.Query().Get("cart"), l)
	return writeJSON(w, c, err)
}

func placeOrder(rq *req, w http.ResponseWriter, r *http.Request) error {
	ctx := r.Context()
	if ok, err := rq.throttle.Allow(ctx, r.Header.Get("CF-Connecting-IP")); err != nil || !ok {
		http.Error(w, "slow down", http.StatusTooManyRequests)
		return err
	}
	if paused, err := rq.orders.Paused(ctx); err != nil || paused {
		http.Error(w, "the kitchen is catching up, try again in a minute", http.StatusServiceUnavailable)
		return err
	}
	if code := r.URL.Query().Get("promo"); code != "" {
		if _, err := rq.promo.Redeem(ctx, code, time.Now()); err != nil {
			return err
		}
	}
	o, err := rq.orders.Place(ctx, r.URL.Query().Get("cart"))
	if err != nil {
		return err
	}
	if err := rq.st.Put(ctx, rq.tenant+"/stats/last-order", o.PlacedAt.Format(time.RFC3339), 0); err != nil { // DEBATABLE kvhotkey
		return err
	}
	if o.LoyaltyID != "" {
		if _, err := rq.loyalty.Award(ctx, rq.tenant, o.LoyaltyID, o.TotalCents/100); err != nil {
			fmt.Printf("award %s: %v\n", o.ID, err)
		}
		rq.loyalty.Stamp(context.WithoutCancel(ctx), rq.tenant, o.LoyaltyID)
	}
	return writeJSON(w, o, nil)
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /m", route(serveMenu))
	mux.HandleFunc("POST /cart", route(func(rq *req, w http.ResponseWriter, r *http.Request) error {
		table, err := strconv.Atoi(r.URL.Query().Get("table"))
		if err != nil {
			return fmt.Errorf("bad table: %w", err)
		}
		c, err := rq.carts.Create(r.Context(), table)
		return writeJSON(w, c, err)
	}))
	mux.HandleFunc("GET /allergens", route(func(rq *req, w http.ResponseWriter, r *http.Request) error {
		doc, err := rq.menu.Allergens(r.Context())
		return writeJSON(w, json.RawMessage(doc), err)
	}))
	mux.HandleFunc("POST /menu/soldout", staffOnly(func(rq *req, s *staff.Session, w http.ResponseWriter, r *http.Request) error {
		return rq.menu.MarkSoldOut(r.Context(), rq.tenant, r.FormValue("item"))
	}))
	mux.HandleFunc("POST /cart/items", route(addToCart))
	mux.HandleFunc("POST /orders", route(placeOrder))
	mux.HandleFunc("POST /staff/login", route(func(rq *req, w http.ResponseWriter, r *http.Request) error {
		sess, err := rq.staff.Login(r.Context(), r.FormValue("staff"), r.FormValue("pin"))
		return writeJSON(w, sess, err)
	}))
	mux.HandleFunc("POST /staff/logout", staffOnly(func(rq *req, s *staff.Session, w http.ResponseWriter, r *http.Request) error {
		return rq.staff.Logout(r.Context(), s.StaffID, s.ID)
	}))
	mux.HandleFunc("POST /kds/advance", staffOnly(func(rq *req, s *staff.Session, w http.ResponseWriter, r *http.Request) error {
		n, err := strconv.Atoi(r.URL.Query().Get("status"))
		if err != nil {
			return fmt.Errorf("bad status: %w", err)
		}
		t, err := rq.orders.Advance(r.Context(), r.URL.Query().Get("order"), orders.Status(n), s.StaffID)
		return writeJSON(w, t, err)
	}))
	mux.HandleFunc("POST /kds/recall", staffOnly(func(rq *req, s *staff.Session, w http.ResponseWriter, r *http.Request) error {
		var tickets []orders.Ticket
		if err := json.NewDecoder(r.Body).Decode(&tickets); err != nil {
			return fmt.Errorf("bad tickets: %w", err)
		}
		return rq.orders.Recall(r.Context(), tickets)
	}))
	mux.HandleFunc("POST /kds/pause", staffOnly(func(rq *req, s *staff.Session, w http.ResponseWriter, r *http.Request) error {
		return rq.orders.Pause(r.Context(), time.Now().Add(quickPause), s.StaffID) // EXPECT kvttl
	}))
	mux.HandleFunc("GET /kds/board", staffOnly(func(rq *req, s *staff.Session, w http.ResponseWriter, r *http.Request) error {
		b, err := rq.orders.Board(r.Context(), r.URL.Query().Get("cursor"))
		return writeJSON(w, b, err)
	}))
	mux.HandleFunc("POST /kds/pair", route(func(rq *req, w http.ResponseWriter, r *http.Request) error {
		code, err := rq.staff.StartPairing(r.Context(), r.FormValue("label"))
		return writeJSON(w, map[string]string{"code": code}, err)
	}))
	mux.HandleFunc("GET /loyalty/magic", route(func(rq *req, w http.ResponseWriter, r *http.Request) error {
		gs, err := rq.loyalty.RedeemMagicLink(r.Context(), rq.tenant, r.URL.Query().Get("token"))
		if err != nil {
			return err
		}
		http.SetCookie(w, &http.Cookie{Name: "wren_guest", Value: gs.ID, Path: "/", HttpOnly: true, Secure: true})
		return writeJSON(w, gs, nil)
	}))

	cron.ScheduleTaskNonBlock(nightly)
	workers.ServeNonBlock(mux)
	workers.Ready()
	select {
	case <-workers.Done():
	case <-cron.Done():
	}
}

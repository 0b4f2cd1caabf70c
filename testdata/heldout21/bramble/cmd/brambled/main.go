// Command brambled serves the customer, courier and partner APIs.
package main

import (
	"cmp"
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"

	"example.com/bramble/internal/courier/presence"
	"example.com/bramble/internal/customer/cart"
	"example.com/bramble/internal/customer/otp"
	"example.com/bramble/internal/customer/sessions"
	"example.com/bramble/internal/ids"
	"example.com/bramble/internal/menus/catalog"
	"example.com/bramble/internal/orders/tracking"
	"example.com/bramble/internal/platform/cfclient"
	"example.com/bramble/internal/platform/httpx"
	"example.com/bramble/internal/platform/kvstore"
	"example.com/bramble/internal/platform/kvstore/cfkv"
	"example.com/bramble/internal/platform/kvstore/memkv"
	"example.com/bramble/internal/promo"
)

type settings struct {
	addr        string
	token       string
	account     string
	nsApp       string
	nsAuth      string
	databaseURL string
	instance    string
	sessionTTL  time.Duration
}

func loadSettings() settings {
	ttl, err := time.ParseDuration(cmp.Or(os.Getenv("BRAMBLE_SESSION_TTL"), "720h"))
	if err != nil {
		log.Fatalf("BRAMBLE_SESSION_TTL: %v", err)
	}
	host, _ := os.Hostname()
	return settings{
		addr:        cmp.Or(os.Getenv("BRAMBLE_ADDR"), ":8080"),
		token:       os.Getenv("CLOUDFLARE_API_TOKEN"),
		account:     os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		nsApp:       os.Getenv("BRAMBLE_KV_APP"),
		nsAuth:      os.Getenv("BRAMBLE_KV_AUTH"),
		databaseURL: os.Getenv("DATABASE_URL"),
		instance:    cmp.Or(os.Getenv("BRAMBLE_INSTANCE"), host, strconv.Itoa(os.Getpid())),
		sessionTTL:  ttl,
	}
}

func main() {
	cfg := loadSettings()
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	client := cfclient.New(cfg.token, cfg.account, 15*time.Second)
	appNS, authNS := client.Namespace(cfg.nsApp), client.Namespace(cfg.nsAuth)
	var app, auth kvstore.Store = cfkv.New(appNS), cfkv.New(authNS)
	if cfg.token == "" {
		log.Print("no CLOUDFLARE_API_TOKEN: using in-memory storage")
		app, auth = memkv.New(), memkv.New()
	}

	db, err := openDatabase(cfg.databaseURL)
	if err != nil {
		log.Fatal(err)
	}
	defer db.Close()

	sess := sessions.NewManager(auth, cfg.sessionTTL)
	login := otp.New(authNS, []byte(os.Getenv("BRAMBLE_OTP_PEPPER")), logSender{}, db, sess)
	views := catalog.NewViewCounter(app, cfg.instance)
	views.PublishEvery(ctx, time.Minute)
	menus := catalog.New(app, appNS, db, views)
	publisher := presence.NewZonePublisher(app, 10*time.Second, func(err error) { log.Printf("presence: %v", err) })
	tracker := presence.NewTracker(app, db, publisher)
	orders := tracking.New(app)
	baskets := cart.New(app)
	promos := promo.New(app, appNS)

	routes := slices.Concat(
		login.Routes(),
		menus.Routes(),
		orders.Routes(),
		tracker.Routes(),
		checkoutRoutes(baskets, promos, sess.Middleware),
	)
	mux := http.NewServeMux()
	httpx.Register(mux, routes, httpx.Recover, httpx.Timeout(10*time.Second))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(http.StatusNoContent) })

	srv := &http.Server{Addr: cfg.addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := views.Publish(shutdown); err != nil {
			log.Printf("final view publish: %v", err)
		}
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("brambled listening on %s", cfg.addr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// checkoutRoutes prices the customer's cart with an optional promo code.
func checkoutRoutes(baskets *cart.Service, promos *promo.Service, auth httpx.Middleware) []httpx.Route {
	return []httpx.Route{{
		Pattern:    "GET /v1/checkout/quote",
		Middleware: []httpx.Middleware{auth},
		Handler: func(w http.ResponseWriter, r *http.Request) error {
			s, _ := sessions.FromContext(r.Context())
			c, err := baskets.Load(r.Context(), s.CustomerID)
			if err != nil {
				return err
			}
			subtotal, err := strconv.ParseInt(r.URL.Query().Get("subtotal"), 10, 64)
			if err != nil || subtotal <= 0 {
				return httpx.Status(http.StatusBadRequest, "subtotal must be positive", err)
			}
			quote := map[string]any{"restaurant": c.Restaurant, "lines": len(c.Lines), "subtotal_cents": subtotal}
			if raw := r.URL.Query().Get("promo"); raw != "" {
				code, err := ids.NewPromoCode(raw)
				if err != nil {
					return err
				}
				if _, discount, err := promos.Quote(r.Context(), code, subtotal); err == nil {
					quote["discount_cents"] = discount
				}
			}
			return httpx.WriteJSON(w, http.StatusOK, quote)
		},
	}}
}

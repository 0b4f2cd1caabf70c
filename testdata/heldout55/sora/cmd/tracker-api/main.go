// Command tracker-api serves shipment tracking, partner keys and courier
// sign-in. It talks to Workers KV through the v0 Cloudflare client.
package main

import (
	"context"
	"database/sql"
	"flag"
	"log"
	"net/http"
	"os"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"sora/internal/config"
	"sora/internal/courierauth"
	"sora/internal/httpx"
	"sora/internal/kvstore"
	"sora/internal/partners"
	"sora/internal/reconcile"
	"sora/internal/tracking"
)

var (
	addr        = flag.String("addr", ":8080", "listen address")
	configPath  = flag.String("config", "/etc/sora/tracker.json", "configuration file")
	sessionTTL  = flag.Duration("session-ttl", 0, "courier session lifetime (0 = built-in default)")
	partnerTTL  = flag.Duration("partner-key-ttl", 0, "partner API key lifetime (0 = configured value)")
	reconcileAt = flag.Duration("reconcile-every", 24*time.Hour, "interval between reconciler runs")
)

func main() {
	flag.Parse()
	if c, err := config.ReadFile(*configPath); err == nil {
		config.Store(c)
	} else {
		log.Printf("using built-in defaults: %v", err)
	}
	config.WatchSIGHUP(*configPath, log.Printf)
	cfg := config.Load()

	api, err := cf.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	if err != nil {
		log.Fatal(err)
	}
	db, err := sql.Open("postgres", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Fatal(err)
	}

	trackingNS := kvstore.Open(api, cfg.AccountID, cfg.TrackingNamespace, "")
	tracking.Init(trackingNS)
	keyTTL := cfg.PartnerKeyTTL.Duration
	if *partnerTTL > 0 {
		keyTTL = *partnerTTL
	}
	partners.Init(kvstore.Open(api, cfg.AccountID, cfg.PartnerNamespace, "p/"), db, keyTTL)
	courierauth.Init(kvstore.Open(api, cfg.AccountID, cfg.SessionNamespace, ""), db, *sessionTTL)

	rec := &reconcile.Reconciler{NS: trackingNS, DB: db}
	go runReconciler(rec, *reconcileAt)
	httpx.Go("customs-notice", func() {
		if err := tracking.PublishCustomsNotice(context.Background()); err != nil {
			log.Printf("customs notice: %v", err)
		}
	})

	mux := http.NewServeMux()
	mux.Handle("POST /v1/shipments", partnerOnly(httpx.HandleThen(tracking.CreateShipment)))
	mux.Handle("POST /v1/shipments/status", partnerOnly(httpx.HandleThen(tracking.UpdateStatus)))
	mux.Handle("POST /v1/shipments/lookup", partnerOnly(httpx.Handle(tracking.GetStatus)))
	mux.Handle("GET /t/{partner}/{number}", httpx.HandleThen(tracking.GetPage))
	mux.Handle("POST /v1/previews", partnerOnly(httpx.Handle(tracking.PublishPreview)))
	mux.Handle("POST /admin/notices", httpx.Handle(tracking.PublishNotice))
	mux.Handle("PUT /admin/notices", httpx.Handle(tracking.ExtendNotice))

	mux.Handle("POST /admin/partners/keys", httpx.Handle(partners.IssueKey))
	mux.Handle("DELETE /admin/partners/keys", httpx.Handle(partners.RevokeKey))
	mux.Handle("POST /v1/keys/rotate", httpx.Handle(partners.RotateKey))
	mux.Handle("GET /v1/partners/{partner}", httpx.Handle(partners.GetProfile))
	mux.Handle("POST /v1/slugs", partnerOnly(httpx.Handle(partners.ClaimSlug)))
	mux.Handle("POST /v1/allowlist", partnerOnly(httpx.Handle(partners.AllowIP)))
	mux.Handle("PUT /v1/allowlist", partnerOnly(httpx.Handle(partners.ReplaceAllowlist)))

	mux.Handle("POST /courier/login", httpx.Handle(courierauth.Login))
	mux.Handle("POST /courier/logout", httpx.Handle(courierauth.Logout))
	mux.Handle("POST /courier/password", httpx.Handle(courierauth.ChangePassword))
	mux.Handle("POST /courier/otp/verify", courierOnly(httpx.Handle(courierauth.VerifyOTP)))
	mux.Handle("POST /recipient/link", httpx.Handle(courierauth.SendMagicLink))
	mux.Handle("POST /recipient/link/redeem", httpx.Handle(courierauth.RedeemMagicLink))
	mux.Handle("POST /recipient/otp", httpx.Handle(courierauth.IssueOTP))

	mux.Handle("POST /admin/reconcile/repair", httpx.Handle(func(ctx context.Context, req struct {
		Numbers []string `json:"numbers"`
	}) (map[string]string, error) {
		if err := rec.RepairBatch(ctx, req.Numbers); err != nil {
			return map[string]string{"error": err.Error()}, nil
		}
		return map[string]string{"status": "ok"}, nil
	}))
	mux.Handle("POST /admin/reconcile/quick", httpx.Handle(func(ctx context.Context, req struct {
		Cursor string `json:"cursor"`
	}) (map[string]any, error) {
		next, failed, err := rec.QuickScan(ctx, req.Cursor)
		return map[string]any{"cursor": next, "failed": len(failed)}, err
	}))

	log.Printf("tracker-api listening on %s", *addr)
	log.Fatal(http.ListenAndServe(*addr, mux))
}

func partnerOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		rec, err := partners.Authenticate(r.Context(), partners.KeyFromRequest(r))
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		ctx := context.WithoutCancel(r.Context())
		httpx.Go("lastseen", func() { partners.TouchLastSeen(ctx, rec.PartnerID) })
		next.ServeHTTP(w, r)
	})
}

func courierOnly(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, err := courierauth.Authenticate(r.Context(), r); err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func runReconciler(rec *reconcile.Reconciler, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for range t.C {
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Hour)
		if err := rec.RunNightly(ctx); err != nil {
			log.Printf("reconcile: %v", err)
		}
		if n, err := rec.SweepPreviews(ctx); err != nil {
			log.Printf("sweep previews: %v", err)
		} else {
			log.Printf("swept %d previews", n)
		}
		if err := rec.MarkRun(ctx); err != nil {
			log.Printf("mark run: %v", err)
		}
		cancel()
	}
}

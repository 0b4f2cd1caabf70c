// Command kilnd is the marketplace API server and job runner.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"sync"
	"syscall"
	"time"

	"example.com/kiln/internal/adminauth"
	"example.com/kiln/internal/bookings"
	"example.com/kiln/internal/catalog"
	"example.com/kiln/internal/cfhttp"
	"example.com/kiln/internal/config"
	"example.com/kiln/internal/firing"
	"example.com/kiln/internal/httpx"
	"example.com/kiln/internal/inventory"
	"example.com/kiln/internal/jobs"
	"example.com/kiln/internal/kvstore"
	"example.com/kiln/internal/kvstore/cfkv"
	"example.com/kiln/internal/kvstore/memkv"
	"example.com/kiln/internal/payouts"
	"example.com/kiln/internal/reviews"
)

// stats is the process-local metrics sink for the KV and API layers.
type stats struct {
	mu     sync.Mutex
	counts map[string]int64
}

func (s *stats) Inc(name string) { s.Time(name, 0) }

func (s *stats) Time(name string, d time.Duration) {
	s.mu.Lock()
	s.counts[name]++
	s.counts[name+".ms"] += d.Milliseconds()
	s.mu.Unlock()
}

func (s *stats) ObserveKV(op string, d time.Duration, err error) {
	s.Time("kv."+op, d)
	if err != nil {
		s.Inc("kv." + op + ".errors")
	}
}

// reply adapts a read to an HTTP handler that answers with JSON.
func reply(read func(*http.Request) (any, error)) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		v, err := read(r)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		httpx.JSON(w, http.StatusOK, v)
	})
}

func main() {
	originURL := flag.String("origin", "http://studio-admin.internal", "studio management API")
	dev := flag.Bool("dev", false, "keep KV data in memory")
	flag.Parse()
	logger := log.New(os.Stderr, "kilnd ", log.LstdFlags|log.Lmsgprefix)

	cfg, err := config.Load()
	if err != nil {
		logger.Fatal(err)
	}
	if !cfg.Live() && !*dev {
		logger.Fatal("Cloudflare credentials missing; use -dev to run without them")
	}
	st := &stats{counts: map[string]int64{}}
	hc := &http.Client{Timeout: 15 * time.Second, Transport: &cfhttp.Transport{UserAgent: "kilnd/1", Recorder: st}}

	ns := cfkv.New(cfg.AccountID, cfg.MainNamespaceID, cfg.APIToken, hc)
	var base kvstore.Store = ns
	if *dev {
		base = memkv.New()
	}
	base = kvstore.Chain(base, kvstore.WithMetrics(st), kvstore.WithLogging(logger))
	main := kvstore.Open(base)
	shop := kvstore.Open(kvstore.Chain(base, kvstore.WithPrefix("shop:")))

	org := &origin{base: *originURL, hc: &http.Client{Timeout: 10 * time.Second}}

	stockBuf := inventory.NewWriteBehind(shop, logger, inventory.FlushEvery(cfg.Flush()))
	tillBuf := inventory.NewWriteBehind(shop, logger, inventory.FlushEvery(10*time.Second))
	tillBuf.Config().TTL = 30 * time.Second // EXPECT kvttl

	auth := adminauth.New(main, ns.Client(), cfg.AccountID, cfg.MainNamespaceID, org, org,
		adminauth.WithLifetime(cfg.Session()), adminauth.WithBaseURL("https://kiln.example.com"))
	book := bookings.New(main, org, org, bookings.WithHold(cfg.Hold()), bookings.WithMaxSeats(6))
	cat := catalog.New(main, org, cfg.CatalogCache())
	inv := inventory.New(shop, stockBuf, logger)
	tills := inventory.NewTills(tillBuf)
	rev := reviews.New(main, cfg)
	fire := firing.NewDispatcher(main, logger, func(cmd firing.Command, took time.Duration, err error) {
		st.Time("firing."+cmd.Name(), took)
	})

	ledger := payouts.NewLedger(cfg.AccountID, cfg.PayoutsNamespaceID, cfg.APIToken, hc)
	runner := payouts.NewRunner(ledger, payoutsAPI{org}, 2500)
	maint := jobs.NewMaintenance(main, ns, org, cfg.ExportMaxKeys)
	host, _ := os.Hostname()
	sched := jobs.NewScheduler(logger, append(maint.Jobs(), jobs.Job{
		Name: "payouts", Every: 24 * time.Hour,
		Run: func(ctx context.Context) error { _, err := runner.Run(ctx, host); return err },
	})...)

	mux := http.NewServeMux()
	mux.Handle("/admin/", auth.Handler())
	mux.Handle("/holds/", book.Handler())
	mux.Handle("POST /kilns/{kiln}/{action}", auth.Require(fire.Handler()))
	mux.Handle("GET /studios/{id}", reply(func(r *http.Request) (any, error) { return cat.Studio(r.Context(), r.PathValue("id")) }))
	mux.Handle("GET /classes/{id}/seats", reply(func(r *http.Request) (any, error) { return cat.Availability(r.Context(), r.PathValue("id")) }))
	mux.Handle("POST /reviews/{id}/helpful", reply(func(r *http.Request) (any, error) { return rev.Helpful(r.Context(), r.PathValue("id")) }))
	mux.HandleFunc("POST /shop/{sku}/sell", func(w http.ResponseWriter, r *http.Request) {
		if err := inv.Sell(r.Context(), r.PathValue("sku"), 1); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
		}
	})
	mux.HandleFunc("POST /tills/{till}/ping", func(w http.ResponseWriter, r *http.Request) {
		_ = tills.Heartbeat(inventory.Presence{TillID: r.PathValue("till"), StudioID: r.FormValue("studio"), At: time.Now().UTC()})
	})

	handler := httpx.Stack(mux,
		httpx.RateLimit(main, cfg.RateLimitPerMinute),
		httpx.LastSeen(main),
		httpx.Audit(main),
	)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go stockBuf.Run(ctx)
	go tillBuf.Run(ctx)
	sched.Start(ctx)

	srv := &http.Server{Addr: cfg.ListenAddr, Handler: handler, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	logger.Printf("listening on %s", cfg.ListenAddr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		logger.Fatal(err)
	}
	sched.Wait()
}

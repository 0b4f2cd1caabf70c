// Command mcproxy runs karearea's origin side: the memcached text-protocol
// proxy for the legacy PHP and Go apps, and an HTTP server with the PHP
// session endpoints and the storefront's fragment endpoints.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/karearea/karearea/internal/catalog"
	"github.com/karearea/karearea/internal/fragcache"
	"github.com/karearea/karearea/internal/kvstore"
	"github.com/karearea/karearea/internal/mcproxy"
	"github.com/karearea/karearea/internal/memcache"
	"github.com/karearea/karearea/internal/phpsession"
	"github.com/karearea/karearea/internal/warmup"
)

func main() {
	var (
		mcAddr      = flag.String("memcache-addr", ":11211", "memcached protocol listen address")
		httpAddr    = flag.String("http-addr", ":8080", "HTTP listen address")
		proxyID     = flag.String("id", hostname(), "proxy instance ID")
		prefix      = flag.String("prefix", "mc:", "key prefix of the memcache pool")
		statsEvery  = flag.Duration("stats-interval", 30*time.Second, "how often to publish stats")
		gcLifetime  = flag.Duration("session-lifetime", 1440*time.Second, "session.gc_maxlifetime")
		dbDSN       = flag.String("db", "", "catalog database DSN (driver registered by the build)")
		dbDriver    = flag.String("db-driver", "mysql", "catalog database driver")
		doWarm      = flag.Bool("warmup", false, "seed an empty namespace and exit")
		warmPools   = flag.String("warmup-pools", "pool-a,pool-b", "comma-separated pool names for the slot table")
		shopTZ      = flag.String("shop-tz", "Pacific/Auckland", "shop time zone for daily fragments")
		callTimeout = flag.Duration("kv-timeout", 10*time.Second, "per-call KV timeout")
	)
	flag.Parse()
	logger := log.New(os.Stderr, "mcproxy ", log.LstdFlags|log.Lmsgprefix)

	store, err := kvstore.Open(kvstore.Config{
		AccountID:   os.Getenv("CF_ACCOUNT_ID"),
		NamespaceID: os.Getenv("KAREAREA_KV_NAMESPACE"),
		APIToken:    os.Getenv("CF_API_TOKEN"),
		Timeout:     *callTimeout,
	})
	if err != nil {
		logger.Fatal(err)
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	if *doWarm {
		err := warmup.Run(ctx, store, *proxyID, warmup.Config{
			Pools:      strings.Split(*warmPools, ","),
			SiteConfig: map[string]string{"currency": "NZD", "locale": "en-NZ"},
		})
		if err != nil {
			logger.Fatal(err)
		}
		return
	}

	mc := memcache.New(store, *prefix)
	srv := mcproxy.NewServer(*proxyID, mc, store, logger)

	sessions := phpsession.New(store)
	sessions.MaxLifetime = *gcLifetime

	loc, err := time.LoadLocation(*shopTZ)
	if err != nil {
		logger.Fatal(err)
	}
	var db *sql.DB
	if *dbDSN != "" {
		if db, err = sql.Open(*dbDriver, *dbDSN); err != nil {
			logger.Fatal(err)
		}
		defer db.Close()
	}
	shop := &catalog.Service{DB: db, MC: mc, Frags: fragcache.New(store), Logger: logger, Loc: loc}

	mux := http.NewServeMux()
	sessions.Register(mux, logger)
	shop.Routes(mux)
	httpSrv := &http.Server{Addr: *httpAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	ln, err := net.Listen("tcp", *mcAddr)
	if err != nil {
		logger.Fatal(err)
	}
	go srv.RunStatsFlusher(ctx, *statsEvery)
	go func() {
		if err := httpSrv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			logger.Printf("http: %v", err)
			stop()
		}
	}()
	go func() {
		<-ctx.Done()
		shutdownCtx, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		httpSrv.Shutdown(shutdownCtx)
	}()

	logger.Printf("proxy %s: memcached on %s, http on %s", *proxyID, *mcAddr, *httpAddr)
	if err := srv.Serve(ctx, ln); err != nil {
		logger.Fatal(err)
	}
}

func hostname() string {
	h, err := os.Hostname()
	if err != nil {
		return "mcproxy"
	}
	return h
}

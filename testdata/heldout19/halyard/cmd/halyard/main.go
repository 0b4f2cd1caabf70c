// Command halyard runs the halyard API server.
package main

import (
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/halyard/internal/cfkv"
	"example.com/halyard/internal/config"
	"example.com/halyard/internal/driverauth"
	"example.com/halyard/internal/httpapi"
	"example.com/halyard/internal/kvstore"
	"example.com/halyard/internal/ledger"
	"example.com/halyard/internal/rates"
	"example.com/halyard/internal/tail"
	"example.com/halyard/internal/tracking"
)

func main() {
	cfg, err := config.Load()
	if err != nil {
		log.Fatalf("config: %v", err)
	}
	logger := log.New(os.Stderr, "halyard ", log.LstdFlags|log.LUTC)

	tenants := cfkv.NewTenants(cfkv.API(), cfg.AccountID, cfg.NamespaceID, cfg.TenantSpaces)
	stores := func(tenant string) (kvstore.ReadWriter, error) {
		c, err := tenants.For(tenant)
		if err != nil {
			return nil, err
		}
		return tracking.WithAudit(c, logger), nil
	}
	shared := cfkv.New(nil, cfg.AccountID, cfg.NamespaceID)

	srv := &httpapi.Server{
		Stores:        stores,
		Auth:          driverauth.New(shared, cfg.SessionTTL, cfg.RefreshTTL),
		WebhookSecret: []byte(cfg.WebhookSecret),
	}
	mux := http.NewServeMux()
	mux.Handle("/", srv.Routes())
	mux.Handle("POST /internal/tail", &tail.Handler{
		API: cfkv.API(), AccountID: cfg.AccountID, NamespaceID: cfg.NamespaceID,
	})

	mountInternal(mux, cfg, ledger.NewMemory(), map[string]rates.Carrier{})

	hs := &http.Server{Addr: cfg.ListenAddr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			if _, err := config.Load(); err != nil {
				logger.Printf("reload failed, keeping previous config: %v", err)
				continue
			}
			logger.Printf("config reloaded")
		}
	}()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	logger.Printf("listening on %s", cfg.ListenAddr)
	if err := hs.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		logger.Fatal(err)
	}
}

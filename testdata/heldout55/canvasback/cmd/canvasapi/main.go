//go:build !(js && wasm)

// Command canvasapi is the clinic backend: pharmacist and clinic-admin
// endpoints that write to Workers KV through the Cloudflare API.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/canvasback/telehealth/internal/cfkv"
	"github.com/canvasback/telehealth/internal/clinicops"
	"github.com/canvasback/telehealth/internal/config"
	"github.com/canvasback/telehealth/internal/httpx"
)

var (
	listenAddr = flag.String("listen", ":8080", "HTTP listen address")
	configPath = flag.String("config", "/etc/canvasback/config.json", "configuration overrides (reloaded on SIGHUP)")
	accountID  = flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account ID")
)

func reloadFromFile(path string) {
	raw, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return
	}
	if err != nil {
		log.Printf("config: %v", err)
		return
	}
	if _, err := config.Reload(raw, path); err != nil {
		log.Printf("config: %v", err)
		return
	}
	log.Printf("config reloaded from %s", path)
}

func main() {
	flag.Parse()
	reloadFromFile(*configPath)

	client := cfkv.NewClient(os.Getenv("CF_API_TOKEN"))
	clinicops.Refills = cfkv.Open(client, *accountID, os.Getenv("KV_REFILLS"))
	clinicops.Clinics = cfkv.Open(client, *accountID, os.Getenv("KV_CLINICS"))
	clinicops.Sessions = cfkv.Open(client, *accountID, os.Getenv("KV_SESSIONS"))
	clinicops.Quota = cfkv.Open(client, *accountID, os.Getenv("KV_QUOTA"))

	hup := make(chan os.Signal, 1)
	signal.Notify(hup, syscall.SIGHUP)
	go func() {
		for range hup {
			reloadFromFile(*configPath)
		}
	}()

	mux := http.NewServeMux()
	mux.HandleFunc("/refills/status", httpx.Handle(clinicops.SetStatus))
	mux.HandleFunc("/clinics/slug", httpx.Handle(clinicops.ClaimSlug))
	mux.HandleFunc("/clinics/profile", httpx.Handle(clinicops.UpdateProfile))
	mux.HandleFunc("/clinics/profile/get", httpx.Handle(clinicops.GetProfile))
	mux.HandleFunc("/clinics/profile/warm", httpx.Handle(clinicops.WarmProfileCache))
	mux.HandleFunc("/clinics/plan", httpx.Handle(clinicops.SetPlan))
	mux.HandleFunc("/clinics/notice", httpx.Handle(clinicops.PostNotice))
	mux.HandleFunc("/clinics/holiday", httpx.Handle(clinicops.PostHoliday))
	mux.HandleFunc("/clinics/prices", httpx.Handle(clinicops.PublishPriceSheet))
	mux.HandleFunc("/support/revoke", httpx.Handle(clinicops.RevokeCredentials))
	mux.HandleFunc("/support/break-glass", httpx.Handle(clinicops.BreakGlass))

	srv := &http.Server{Addr: *listenAddr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("canvasapi listening on %s", *listenAddr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

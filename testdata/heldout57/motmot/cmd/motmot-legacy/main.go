// Command motmot-legacy serves the installer API on the v0 SDK.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/motmot-energy/motmot/internal/kvv0"
	"github.com/motmot-energy/motmot/internal/legacy"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	cf, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		slog.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	store := kvv0.Open(cf, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_INSTALLERS"))
	pairing := &legacy.Pairing{KV: store, ResendWindow: 20 * time.Second}
	accounts := &legacy.Accounts{KV: store}
	rollouts := &legacy.Rollouts{KV: store}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /pair/{home}", func(w http.ResponseWriter, r *http.Request) {
		code, err := pairing.Issue(r.Context(), r.PathValue("home"), r.Header.Get("X-Installer"))
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"code": code})
	})
	mux.HandleFunc("POST /pair/redeem", func(w http.ResponseWriter, r *http.Request) {
		t, err := pairing.Redeem(r.Context(), r.Header.Get("X-Installer"), r.FormValue("code"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusForbidden)
			return
		}
		if err := pairing.Claim(r.Context(), r.FormValue("serial"), t.HomeID); err != nil {
			http.Error(w, err.Error(), http.StatusConflict)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})
	mux.HandleFunc("POST /token/refresh", func(w http.ResponseWriter, r *http.Request) {
		tp, err := accounts.Refresh(r.Context(), r.FormValue("refresh"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusUnauthorized)
			return
		}
		_ = json.NewEncoder(w).Encode(tp)
	})
	mux.HandleFunc("GET /firmware/{model}/{cohort}", func(w http.ResponseWriter, r *http.Request) {
		v, err := rollouts.LatestFor(r.Context(), r.PathValue("model"), r.PathValue("cohort"))
		if err != nil {
			http.Error(w, "unavailable", http.StatusServiceUnavailable)
			return
		}
		_, _ = w.Write([]byte(v))
	})

	srv := &http.Server{Addr: ":8081", Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		sctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 15*time.Second)
		defer cancel()
		_ = srv.Shutdown(sctx)
	}()
	if err := srv.ListenAndServe(); err != http.ErrServerClosed {
		slog.Error("listen", "err", err)
	}
}

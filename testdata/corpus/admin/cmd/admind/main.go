// Command admind is the admin backend: it serves the public admin API
// behind the KV-backed gateway, checks logins against the lockout policy and
// meters API usage.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cfv4 "github.com/cloudflare/cloudflare-go/v4"
	optv4 "github.com/cloudflare/cloudflare-go/v4/option"

	"example.com/admin/internal/config"
	"example.com/admin/internal/edge"
	"example.com/admin/internal/gateway"
	"example.com/admin/internal/kvstore"
	"example.com/admin/internal/lockout"
	"example.com/admin/internal/usage"
)

type server struct {
	lock   *lockout.Service
	quotas *usage.Quotas
	views  *usage.Views
	log    *slog.Logger
	check  func(ctx context.Context, user, password string) bool
}

func (s *server) login(w http.ResponseWriter, r *http.Request) {
	var req struct {
		User     string `json:"user"`
		Password string `json:"password"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.User == "" {
		http.Error(w, "bad request", http.StatusBadRequest)
		return
	}
	ctx := r.Context()
	ip := r.Header.Get("CF-Connecting-IP")

	if n, err := s.lock.RecordBurst(ctx, ip); err == nil && n > 20 {
		_ = s.lock.RequireCaptcha(ctx, req.User)
	}
	locked, until, err := s.lock.Locked(ctx, req.User)
	if err != nil {
		http.Error(w, "unavailable", http.StatusServiceUnavailable)
		return
	}
	if locked {
		w.Header().Set("Retry-After", until.UTC().Format(http.TimeFormat))
		http.Error(w, "account locked", http.StatusLocked)
		return
	}
	if !s.check(ctx, req.User, req.Password) {
		if nowLocked, err := s.lock.RecordFailure(ctx, req.User, ip); err != nil {
			s.log.Error("record failure", "err", err)
		} else if nowLocked {
			s.log.Warn("account locked", "user", req.User)
		}
		http.Error(w, "invalid credentials", http.StatusUnauthorized)
		return
	}
	if err := s.lock.Succeeded(ctx, req.User); err != nil {
		s.log.Warn("clear failures", "err", err)
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) api(w http.ResponseWriter, r *http.Request) {
	tenant := r.Header.Get("X-Tenant")
	left, err := s.quotas.Consume(r.Context(), tenant, 1)
	if errors.Is(err, usage.ErrQuotaExceeded) {
		http.Error(w, "quota exceeded", http.StatusTooManyRequests)
		return
	}
	if err != nil {
		s.log.Error("quota", "err", err)
	}
	w.Header().Set("X-Quota-Remaining", formatInt(left))
	w.Header().Set("Content-Type", "application/json")
	_, _ = w.Write([]byte(`{"ok":true}`))
}

func (s *server) docs(w http.ResponseWriter, r *http.Request) {
	s.views.Hit(r.URL.Path)
	http.ServeFile(w, r, "docs"+r.URL.Path)
}

func formatInt(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	account, token, err := config.Credentials()
	if err != nil {
		log.Error("credentials", "err", err)
		os.Exit(2)
	}
	api, err := cfv0.NewWithAPIToken(token)
	if err != nil {
		log.Error("client", "err", err)
		os.Exit(2)
	}
	v4 := cfv4.NewClient(optv4.WithAPIToken(token))
	v6 := edge.NewClient(token)

	meter := usage.NewMeter(v4, account)
	views := usage.NewViews(v4, account)
	s := &server{
		lock:   lockout.New(kvstore.New(api, account, config.NSLogin), notifyByMail, log),
		quotas: usage.NewQuotas(v4, account),
		views:  views,
		log:    log,
		check:  func(context.Context, string, string) bool { return false },
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /login", s.login)
	mux.HandleFunc("/docs/", s.docs)
	mux.Handle("/v1/", gateway.New(edge.New(v6, account, config.NSOps), meter, http.HandlerFunc(s.api), log))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go meter.Run(ctx, time.Minute)
	go func() {
		t := time.NewTicker(10 * time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := views.Publish(ctx); err != nil {
					log.Warn("publish views", "err", err)
				}
			}
		}
	}()

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

func notifyByMail(ctx context.Context, user string) error {
	slog.InfoContext(ctx, "would send lockout mail", "user", user)
	return nil
}

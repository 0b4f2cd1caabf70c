// Command ingestd receives sensor readings from the gateways' uplink, keeps
// hourly rollups and trends in Workers KV and raises threshold alerts.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"strings"
	"sync/atomic"
	"syscall"
	"time"

	"github.com/piopio/greenhouse/internal/kvrest"
	"github.com/piopio/greenhouse/internal/operators"
	"github.com/piopio/greenhouse/internal/pairing"
	"github.com/piopio/greenhouse/internal/telemetry"
)

type logNotifier struct{ log *slog.Logger }

func (n logNotifier) Notify(_ context.Context, a telemetry.Alert) error {
	n.log.Info("ALERT", "gh", a.Greenhouse, "metric", a.Metric, "value", a.Value, "resolved", a.Resolved)
	return nil
}

func envDuration(name string, def time.Duration) time.Duration {
	if d, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return d
	}
	return def
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	data := kvrest.Open("telemetry", token, account, os.Getenv("KV_TELEMETRY_ID"))
	auth := kvrest.Open("auth", token, account, os.Getenv("KV_AUTH_ID"))

	rollups := &telemetry.Rollups{NS: data, Log: log, Cfg: telemetry.RollupConfig{
		Retention:  envDuration("ROLLUP_RETENTION", 45*24*time.Hour),
		Lateness:   envDuration("ROLLUP_LATENESS", 10*time.Minute),
		TrendSize:  envDuration("TREND_SIZE", 30*time.Minute),
		TrendSlide: envDuration("TREND_SLIDE", 5*time.Minute),
	}}
	eval := &telemetry.Evaluator{NS: data, Notify: logNotifier{log}, Log: log}
	admin := &telemetry.Admin{NS: data}
	sessions := &operators.Manager{NS: auth, Log: log}
	pairs := &pairing.Service{NS: auth}

	toRollup := make(chan telemetry.Reading, 1024)
	toTrend := make(chan telemetry.Reading, 1024)
	toEval := make(chan telemetry.Reading, 1024)
	toTotal := make(chan telemetry.Reading, 1024)
	for name, run := range map[string]func() error{
		"rollup": func() error { return rollups.Run(ctx, toRollup) },
		"trend":  func() error { return rollups.RunTrends(ctx, toTrend) },
		"eval":   func() error { return eval.Run(ctx, toEval) },
		"totals": func() error { return rollups.RunTotals(ctx, toTotal) },
	} {
		go func() {
			if err := run(); err != nil {
				log.Error("pipeline stopped", "pipeline", name, "err", err)
				stop()
			}
		}()
	}

	var accepted atomic.Int64
	go func() {
		tick := time.NewTicker(time.Minute)
		defer tick.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-tick.C:
				_ = data.Put(ctx, "stats:readings-accepted", []byte(strconv.FormatInt(accepted.Load(), 10)), nil) // EXPECT kvcounter
			}
		}
	}()

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/readings", func(w http.ResponseWriter, r *http.Request) {
		var batch []telemetry.Reading
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<20)).Decode(&batch); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		accepted.Add(int64(len(batch)))
		for _, rd := range batch {
			toRollup <- rd
			toTrend <- rd
			toEval <- rd
			toTotal <- rd
		}
		w.WriteHeader(http.StatusAccepted)
	})
	mux.HandleFunc("POST /v1/login", func(w http.ResponseWriter, r *http.Request) {
		op := r.Header.Get("X-Verified-Operator")
		if op == "" {
			http.Error(w, "unauthenticated", http.StatusUnauthorized)
			return
		}
		s, err := sessions.Create(r.Context(), op, strings.Split(r.Header.Get("X-Operator-Roles"), ","))
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		http.SetCookie(w, &http.Cookie{Name: "gh_sess", Value: s.Token(), Expires: s.Expires, HttpOnly: true, Secure: true, Path: "/"})
	})
	withSession := func(h func(http.ResponseWriter, *http.Request, operators.Session)) http.HandlerFunc {
		return func(w http.ResponseWriter, r *http.Request) {
			c, err := r.Cookie("gh_sess")
			if err != nil {
				http.Error(w, "unauthenticated", http.StatusUnauthorized)
				return
			}
			s, err := sessions.Lookup(r.Context(), c.Value)
			if err != nil {
				http.Error(w, "unauthenticated", http.StatusUnauthorized)
				return
			}
			if err := sessions.Touch(r.Context(), s); err != nil {
				log.Warn("touch failed", "err", err)
			}
			h(w, r, s)
		}
	}
	mux.HandleFunc("POST /v1/logout", withSession(func(w http.ResponseWriter, r *http.Request, s operators.Session) { _ = sessions.Logout(r.Context(), s) }))
	mux.HandleFunc("PUT /v1/greenhouses/{gh}/bands/{metric}", withSession(func(w http.ResponseWriter, r *http.Request, s operators.Session) {
		var b telemetry.Band
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := admin.SetBand(r.Context(), r.PathValue("gh"), r.PathValue("metric"), b, s.Operator); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	}))
	mux.HandleFunc("POST /v1/pair", func(w http.ResponseWriter, r *http.Request) {
		c, err := pairs.Redeem(r.Context(), r.FormValue("code"), r.FormValue("serial"))
		switch {
		case errors.Is(err, pairing.ErrInvalidCode), errors.Is(err, pairing.ErrAlreadyPaired):
			http.Error(w, err.Error(), http.StatusConflict)
		case errors.Is(err, pairing.ErrLocked):
			http.Error(w, err.Error(), http.StatusTooManyRequests)
		case err != nil:
			http.Error(w, err.Error(), http.StatusBadGateway)
		default:
			_ = json.NewEncoder(w).Encode(c)
		}
	})

	srv := &http.Server{Addr: cmp.Or(os.Getenv("LISTEN"), ":8080"), Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", srv.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("server", "err", err)
		os.Exit(1)
	}
}

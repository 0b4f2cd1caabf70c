// Command boxofficed is the box office backend: fan sign-in, seat holds,
// transfers, the promoter dashboard, and the relay that projects Postgres into
// Workers KV for the edge.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	kithttp "github.com/go-kit/kit/transport/http"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/boxoffice/crossbill/internal/accounts"
	"github.com/boxoffice/crossbill/internal/dashboard"
	"github.com/boxoffice/crossbill/internal/edgekv"
	"github.com/boxoffice/crossbill/internal/holds"
	"github.com/boxoffice/crossbill/internal/kitmw"
	"github.com/boxoffice/crossbill/internal/projection"
	"github.com/boxoffice/crossbill/internal/telemetry"
	"github.com/boxoffice/crossbill/internal/transfers"
)

type logMailer struct{ log *slog.Logger }

func (m logMailer) Send(_ context.Context, to, subject, body string) error {
	m.log.Info("mail", "to", to, "subject", subject, "len", len(body))
	return nil
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stdout, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Error("db", "err", err)
		os.Exit(1)
	}
	defer pool.Close()

	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	sessions := edgekv.Open(token, account, os.Getenv("KV_SESSIONS"), "sessions")
	seats := edgekv.Open(token, account, os.Getenv("KV_SEATS"), "seats")
	pages := edgekv.Open(token, account, os.Getenv("KV_PAGES"), "pages")
	cache := edgekv.Open(token, account, os.Getenv("KV_CACHE"), "cache")

	reg := prometheus.NewRegistry()
	reg.MustRegister(collectors.NewGoCollector(), collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}))
	telemetry.Register(reg)

	mux := http.NewServeMux()
	mux.Handle("GET /metrics", promhttp.HandlerFor(reg, promhttp.HandlerOpts{Registry: reg}))

	acct := &accounts.Service{DB: pool, Sessions: sessions, Mail: logMailer{log}, BaseURL: os.Getenv("PUBLIC_URL")}
	acct.Routes(mux)
	holds.Routes(mux, holds.MakeEndpoints(seats, sessions))

	xfer := &transfers.Service{DB: pool, Tickets: seats, NewCode: func() string {
		b := make([]byte, 5)
		_, _ = rand.Read(b)
		return hex.EncodeToString(b)
	}}
	before := kithttp.ServerBefore(func(ctx context.Context, r *http.Request) context.Context {
		return kitmw.WithAPIKey(kitmw.WithToken(ctx, r.Header.Get("Authorization")), r.Header.Get("X-Api-Key"))
	})
	auth := kitmw.Authenticate(sessions)
	mux.Handle("POST /v1/transfers", kithttp.NewServer(auth(xfer.MakeOffer()), decodeOffer, kithttp.EncodeJSONResponse, before))
	mux.Handle("POST /v1/transfers/accept", kithttp.NewServer(auth(xfer.MakeAccept()), decodeAccept, kithttp.EncodeJSONResponse, before))

	dash := dashboard.New(pool, cache, pages)
	mux.HandleFunc("GET /v1/leaderboard", dash.ServeLeaderboard)
	quota := kitmw.Quota(cache, 120)
	mux.Handle("GET /v1/promoters/{promoter}/summary", kithttp.NewServer(quota(func(ctx context.Context, req any) (any, error) {
		return dash.Summary(ctx, req.(string))
	}), func(_ context.Context, r *http.Request) (any, error) { return r.PathValue("promoter"), nil }, kithttp.EncodeJSONResponse, before))

	relay := &projection.Relay{DB: pool, Edge: seats, Batch: 250, Log: log}
	go relay.Run(ctx, 2*time.Second)
	go func() {
		n := &projection.Notifier{Relay: relay}
		if err := n.Listen(ctx); err != nil && ctx.Err() == nil {
			log.Error("listen", "err", err)
		}
	}()
	go func() {
		t := time.NewTicker(time.Minute)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := dash.FlushViews(ctx); err != nil {
					log.Warn("flush views", "err", err)
				}
			}
		}
	}()

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	log.Info("listening", "addr", srv.Addr)
	if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
}

func decodeOffer(_ context.Context, r *http.Request) (any, error) {
	return transfers.OfferRequest{TicketID: r.FormValue("ticket_id")}, nil
}

func decodeAccept(_ context.Context, r *http.Request) (any, error) {
	return transfers.AcceptRequest{Code: r.FormValue("code")}, nil
}

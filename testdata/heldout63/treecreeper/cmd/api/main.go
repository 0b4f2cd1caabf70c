// Command api serves the billing and portal-login APIs.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"github.com/go-kit/kit/endpoint"
	httptransport "github.com/go-kit/kit/transport/http"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/ledgerline/treecreeper/internal/billing"
	"github.com/ledgerline/treecreeper/internal/fxrates"
	"github.com/ledgerline/treecreeper/internal/kvedge"
	"github.com/ledgerline/treecreeper/internal/portal"
	"github.com/ledgerline/treecreeper/internal/telemetry"
)

type pgLinks struct{ pool *pgxpool.Pool }

func (p pgLinks) LoadLink(ctx context.Context, tenant, id string) (billing.PaymentLink, error) {
	rows, err := p.pool.Query(ctx, `SELECT id, tenant, invoice_id, amount_due, currency, expires_at FROM payment_links WHERE tenant = $1 AND id = $2`, tenant, id)
	if err != nil {
		return billing.PaymentLink{}, err
	}
	return pgx.CollectExactlyOneRow(rows, func(row pgx.CollectableRow) (billing.PaymentLink, error) {
		var l billing.PaymentLink
		err := row.Scan(&l.ID, &l.Tenant, &l.InvoiceID, &l.AmountDue, &l.Currency, &l.ExpiresAt)
		return l, err
	})
}

type logMailer struct{}

func (logMailer) SendCode(ctx context.Context, email, code string) error {
	slog.InfoContext(ctx, "login code queued", "email", email)
	return nil
}

func decodeJSON[T any](_ context.Context, r *http.Request) (any, error) {
	var v T
	err := json.NewDecoder(r.Body).Decode(&v)
	return v, err
}

func encodeJSON(_ context.Context, w http.ResponseWriter, resp any) error {
	w.Header().Set("Content-Type", "application/json")
	return json.NewEncoder(w).Encode(resp)
}

func sessionCookie(ctx context.Context, r *http.Request) context.Context {
	if c, err := r.Cookie("tc_session"); err == nil {
		return portal.WithSessionID(ctx, c.Value)
	}
	return ctx
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	pool, err := pgxpool.New(ctx, os.Getenv("DATABASE_URL"))
	if err != nil {
		slog.Error("db", "err", err)
		os.Exit(1)
	}
	defer pool.Close()
	ns := kvedge.Open(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("CF_KV_EDGE_NAMESPACE"))
	monthly, _ := strconv.Atoi(os.Getenv("MONTHLY_LINK_QUOTA"))

	mux := http.NewServeMux()
	billing.MountHTTP(mux, billing.NewEndpoints(ns, pgLinks{pool}, os.Getenv("PORTAL_BASE_URL"), max(monthly, 100)))

	mux.Handle("POST /v1/portal/codes", httptransport.NewServer(
		portal.MakeIssueCodeEndpoint(ns, logMailer{}), decodeJSON[portal.IssueCodeRequest], encodeJSON))
	mux.Handle("POST /v1/portal/sessions", httptransport.NewServer(
		portal.MakeVerifyCodeEndpoint(ns), decodeJSON[portal.VerifyCodeRequest], encodeJSON))
	mux.Handle("DELETE /v1/portal/sessions/current", httptransport.NewServer(
		portal.MakeLogoutEndpoint(ns),
		func(_ context.Context, r *http.Request) (any, error) {
			c, err := r.Cookie("tc_session")
			if err != nil {
				return nil, err
			}
			return portal.LogoutRequest{SessionID: c.Value}, nil
		}, encodeJSON))

	views := portal.NewViewTracker(ns)
	go views.Run(ctx, time.Minute)
	me := endpoint.Chain(portal.RequireSession(ns))(func(ctx context.Context, _ any) (any, error) {
		s, _ := portal.SessionFrom(ctx)
		views.Seen(s.Tenant)
		return s, nil
	})
	mux.Handle("GET /v1/portal/me", httptransport.NewServer(me,
		func(context.Context, *http.Request) (any, error) { return nil, nil }, encodeJSON,
		httptransport.ServerBefore(sessionCookie)))

	mux.Handle("POST /v1/fx/push", httptransport.NewServer(
		fxrates.MakePushEndpoint(ns), decodeJSON[fxrates.PushRequest], encodeJSON))
	mux.Handle("GET /metrics", promhttp.HandlerFor(telemetry.Registry, promhttp.HandlerOpts{}))

	srv := &http.Server{Addr: ":8080", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}

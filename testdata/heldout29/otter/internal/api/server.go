// Package api assembles the public HTTP API from the services.
package api

import (
	"context"
	"encoding/json"
	"log/slog"
	"net/http"
	"time"

	"example.com/otter/internal/apikeys"
	"example.com/otter/internal/fxrates"
	"example.com/otter/internal/httpx"
	"example.com/otter/internal/invoices"
	"example.com/otter/internal/kvport"
	"example.com/otter/internal/paylinks"
	"example.com/otter/internal/payments"
	"example.com/otter/internal/portal"
	"example.com/otter/internal/webhooks"
)

// Limiter decides whether a client may make another request.
type Limiter interface {
	Allow(ctx context.Context, client string) (bool, error)
}

// Server holds the services behind the API; Limiter is optional.
type Server struct {
	Invoices *invoices.Service
	Links    *paylinks.Service
	Keys     *apikeys.Service
	Portal   *portal.Service
	Payments *payments.Service
	FX       *fxrates.Cache
	Inbound  *webhooks.Inbound
	Limiter  Limiter
	Audit    kvport.Store
	Log      *slog.Logger
}

type empty = httpx.Request[struct{}]

// Handler returns the root handler.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	auth, admin := s.Keys.Authenticate("invoices"), s.Keys.Authenticate("admin")
	path := func(r *http.Request, name string) string { return r.PathValue(name) }

	mux.Handle("POST /v1/invoices", auth(s.audited(httpx.JSON(s.Invoices.Create))))
	mux.Handle("GET /v1/invoices/{tenant}/{id}", auth(httpx.JSONReq(func(ctx context.Context, r empty) (invoices.View, error) {
		return s.Invoices.Get(ctx, path(r.HTTP, "tenant"), path(r.HTTP, "id"))
	})))
	mux.Handle("POST /v1/invoices/{tenant}/{id}/finalize", auth(s.audited(httpx.JSONReq(
		func(ctx context.Context, r httpx.Request[struct{ Version int64 }]) (invoices.View, error) {
			return s.Invoices.Finalize(ctx, path(r.HTTP, "tenant"), path(r.HTTP, "id"), r.Body.Version)
		}))))
	mux.Handle("GET /v1/invoices/{tenant}/{id}/render", auth(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		out, err := s.Invoices.Rendered(r.Context(), path(r, "tenant"), path(r, "id"))
		if err != nil {
			httpx.WriteError(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		_, _ = w.Write(out)
	})))
	mux.Handle("POST /v1/fx/convert", auth(httpx.JSON(s.FX.Convert)))
	mux.Handle("GET /v1/fx/{base}/{quote}/chart", auth(httpx.JSONReq(func(ctx context.Context, r empty) ([]float64, error) {
		return s.FX.YearChart(ctx, path(r.HTTP, "base"), path(r.HTTP, "quote"))
	})))
	mux.Handle("POST /v1/keys", admin(s.audited(httpx.JSON(s.Keys.Create))))
	mux.Handle("GET /v1/customers/{customer}/keys", admin(httpx.JSONReq(func(ctx context.Context, r empty) ([]apikeys.Summary, error) {
		return s.Keys.ListForCustomer(ctx, path(r.HTTP, "customer"))
	})))
	mux.Handle("DELETE /v1/customers/{customer}/keys/{id}", admin(s.audited(httpx.JSONReq(func(ctx context.Context, r empty) (string, error) {
		return "revoked", s.Keys.Revoke(ctx, path(r.HTTP, "customer"), path(r.HTTP, "id"))
	}))))
	mux.Handle("POST /webhooks/psp", s.Inbound)
	s.Payments.Routes(mux, auth)

	public := http.NewServeMux()
	s.Links.Routes(public)
	s.Portal.Routes(public)
	for _, p := range []string{"/l/", "/login", "/portal/"} {
		mux.Handle(p, s.limited(public))
	}
	return httpx.Chain(mux, httpx.RequestIDs)
}

func (s *Server) audited(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		next.ServeHTTP(w, r)
		key, _ := apikeys.FromContext(r.Context())
		now := time.Now().UTC()
		entry, _ := json.Marshal(map[string]string{"key": key.ID, "method": r.Method, "path": r.URL.Path, "at": now.Format(time.RFC3339)})
		id := now.Format("20060102") + "/" + httpx.RequestID(r.Context())
		if err := s.Audit.Put(r.Context(), id, entry, &kvport.PutOpts{TTL: 90 * 24 * time.Hour}); err != nil {
			s.Log.Warn("audit", "err", err)
		}
	})
}

func (s *Server) limited(next http.Handler) http.Handler {
	if s.Limiter == nil {
		return next
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if ok, err := s.Limiter.Allow(r.Context(), httpx.ClientIP(r)); !ok {
			w.Header().Set("Retry-After", "60")
			httpx.WriteError(w, r, httpx.Errorf(http.StatusTooManyRequests, "rate_limited", "slow down"))
			return
		} else if err != nil {
			s.Log.Warn("rate limiter", "err", err)
		}
		next.ServeHTTP(w, r)
	})
}

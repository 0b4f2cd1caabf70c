// Command garnet-ledger serves the customer-balance API.
package main

import (
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"garnet/internal/httpx"
	"garnet/internal/ledger"
)

func main() {
	cf := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	root := ledger.New(cf, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("LEDGER_KV_NAMESPACE"))

	mux := http.NewServeMux()
	mux.Handle("POST /t/{tenant}/customers/{customer}/entries", httpx.Handler(func(w http.ResponseWriter, r *http.Request) error {
		l := root.Scope(r.PathValue("tenant"))
		if err := root.RecordAPICall(r.Context(), r.PathValue("tenant")); err != nil {
			slog.Warn("usage", "err", err)
		}
		amount, err := strconv.ParseInt(r.URL.Query().Get("amount_cent"), 10, 64)
		if err != nil {
			return httpx.Error(http.StatusBadRequest, "amount_cent must be an integer")
		}
		return l.Post(r.Context(), r.PathValue("customer"), r.URL.Query().Get("ref"), amount, time.Now().UTC())
	}))
	mux.Handle("GET /t/{tenant}/customers", httpx.Handler(func(w http.ResponseWriter, r *http.Request) error {
		ids, err := root.Scope(r.PathValue("tenant")).Customers(r.Context())
		if err != nil {
			return err
		}
		return httpx.JSON(w, ids)
	}))
	mux.Handle("DELETE /api-tokens/{id}", httpx.Handler(func(w http.ResponseWriter, r *http.Request) error {
		if err := root.RevokeAPIKey(r.Context(), r.PathValue("id")); err != nil {
			return err
		}
		w.WriteHeader(http.StatusNoContent)
		return nil
	}))
	srv := &http.Server{Addr: ":8081", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	if err := srv.ListenAndServe(); err != nil {
		slog.Error("garnet-ledger", "err", err)
		os.Exit(1)
	}
}

// Command adminsvc is the internal admin API used by the support team.
package main

import (
	"encoding/json"
	"log/slog"
	"net/http"
	"os"
	"strconv"
	"time"

	"github.com/hornbill-billing/hornbill/internal/admin"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	a := admin.New(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"), os.Getenv("HORNBILL_KV_NAMESPACE"), log)

	mux := http.NewServeMux()
	mux.HandleFunc("GET /customers", func(w http.ResponseWriter, r *http.Request) {
		rows, err := a.ListCustomers(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(rows)
	})
	mux.HandleFunc("POST /coupons/{campaign}", func(w http.ResponseWriter, r *http.Request) {
		cents, _ := strconv.ParseInt(r.URL.Query().Get("cents"), 10, 64)
		codes, err := a.SeedCoupons(r.Context(), r.PathValue("campaign"), cents)
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]int{"created": len(codes)})
	})
	mux.HandleFunc("POST /impersonate/{customer}", func(w http.ResponseWriter, r *http.Request) {
		tok, err := a.Impersonate(r.Context(), r.Header.Get("X-Support-Engineer"), r.PathValue("customer"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]string{"url": "https://app.hornbill.dev/portal/impersonate/" + tok})
	})
	mux.HandleFunc("POST /maintenance", func(w http.ResponseWriter, r *http.Request) {
		window, err := time.ParseDuration(r.URL.Query().Get("window"))
		if err != nil {
			http.Error(w, "window", http.StatusBadRequest)
			return
		}
		if err := a.ScheduleMaintenance(r.Context(), r.URL.Query().Get("message"), window); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	})
	mux.HandleFunc("DELETE /apikeys/{id}", func(w http.ResponseWriter, r *http.Request) {
		if err := a.RevokeAPIKey(r.Context(), r.PathValue("id")); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	})
	mux.HandleFunc("GET /flags/{name}", func(w http.ResponseWriter, r *http.Request) {
		on, err := a.FeatureFlag(r.Context(), r.PathValue("name"))
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(map[string]bool{"on": on})
	})
	mux.HandleFunc("GET /plans/export", func(w http.ResponseWriter, r *http.Request) {
		names, err := a.ExportPlans(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
			return
		}
		_ = json.NewEncoder(w).Encode(names)
	})
	mux.HandleFunc("POST /plans/index", func(w http.ResponseWriter, r *http.Request) {
		var plans []string
		if err := json.NewDecoder(r.Body).Decode(&plans); err != nil {
			http.Error(w, "body must be a JSON array of plan names", http.StatusBadRequest)
			return
		}
		if err := a.RebuildPlanIndex(r.Context(), plans); err != nil {
			http.Error(w, err.Error(), http.StatusBadGateway)
		}
	})
	log.Info("adminsvc listening", "addr", ":8081")
	if err := http.ListenAndServe(":8081", mux); err != nil {
		log.Error("http", "err", err)
	}
}

//go:build !js

// Command api is the backend HTTP service: permit issuance, payments
// webhooks and the enforcement endpoints used by officers' handhelds.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"github.com/cityparking/nuthatch/internal/cache"
	"github.com/cityparking/nuthatch/internal/clock"
	"github.com/cityparking/nuthatch/internal/domain"
	"github.com/cityparking/nuthatch/internal/enforcement"
	"github.com/cityparking/nuthatch/internal/kvkeys"
	"github.com/cityparking/nuthatch/internal/kvstore"
	"github.com/cityparking/nuthatch/internal/payments"
	"github.com/cityparking/nuthatch/internal/permits"
)

// ZoneRates is the tariff table of a zone as published by the city's GIS.
type ZoneRates struct {
	Zone         string `json:"zone"`
	CentsPerHour int    `json:"cents_per_hour"`
	MaxMinutes   int    `json:"max_minutes"`
	Hours        string `json:"hours"`
}

// OfficerStatus is the shift state reported by a handheld.
type OfficerStatus struct {
	Officer string    `json:"officer"`
	OnShift bool      `json:"on_shift"`
	Beat    string    `json:"beat"`
	At      time.Time `json:"at"`
}

// Deps is what the handlers need.
type Deps struct {
	Tenants  *kvstore.Registry
	Shared   *kvstore.Store
	Finder   *permits.Finder
	Issuer   *permits.Issuer
	Ledger   *payments.Ledger
	Webhooks *payments.Webhooks
	Scanner  *enforcement.Scanner
	Rates    *cache.Cache[kvkeys.ZoneKey, ZoneRates]
	Officers *cache.Cache[string, OfficerStatus]
	Clock    clock.Clock
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeErr(w http.ResponseWriter, err error) {
	switch {
	case errors.Is(err, domain.ErrNotFound):
		http.Error(w, "not found", http.StatusNotFound)
	case errors.Is(err, domain.ErrUnknownTenant):
		http.Error(w, "unknown city", http.StatusNotFound)
	case errors.Is(err, permits.ErrPlateTaken), errors.Is(err, domain.ErrConflict):
		http.Error(w, err.Error(), http.StatusConflict)
	case errors.Is(err, payments.ErrInsufficientFunds), errors.Is(err, permits.ErrVisitorQuota):
		http.Error(w, err.Error(), http.StatusPaymentRequired)
	case errors.Is(err, domain.ErrThrottled):
		http.Error(w, "busy, retry", http.StatusServiceUnavailable)
	default:
		slog.Error("request failed", "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
	}
}

type permitLookup func(*permits.Finder, context.Context, string, string) (*permits.Permit, error)

func handleGetPermit(deps Deps, lookup permitLookup) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		p, err := lookup(deps.Finder, r.Context(), r.PathValue("city"), r.PathValue("id"))
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, p)
	}
}

func handleIssuePermit(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var req permits.IssueRequest
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		req.City = r.PathValue("city")
		p, err := deps.Issuer.Issue(r.Context(), req)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, p)
	}
}

func handleRevokePermit(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		reason := r.URL.Query().Get("reason")
		if err := deps.Issuer.Revoke(r.Context(), r.PathValue("city"), r.PathValue("id"), reason); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func handleVisitorPass(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		resident, err := deps.Finder.Find(r.Context(), r.PathValue("city"), r.PathValue("id"))
		if err != nil {
			writeErr(w, err)
			return
		}
		pass, err := deps.Issuer.IssueVisitorPass(r.Context(), resident, r.URL.Query().Get("plate"))
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusCreated, pass)
	}
}

func handleWebhook(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var ev payments.Event
		if err := json.NewDecoder(r.Body).Decode(&ev); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := deps.Webhooks.Handle(r.Context(), ev); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusOK)
	}
}

func handleCheck(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		city, zone, plate := r.PathValue("city"), r.PathValue("zone"), r.PathValue("plate")
		verdict, details, err := deps.Scanner.Check(r.Context(), city, zone, plate)
		if err != nil {
			writeErr(w, err)
			return
		}
		stamp := fmt.Sprintf(`{"city":%q,"zone":%q,"at":%q}`, city, zone, deps.Clock.Now().Format(time.RFC3339))
		if err := deps.Shared.Put(r.Context(), "enforcement/last-check", []byte(stamp), 0); err != nil { // EXPECT kvhotkey
			slog.WarnContext(r.Context(), "last-check stamp failed", "err", err)
		}
		writeJSON(w, http.StatusOK, map[string]any{"verdict": verdict, "evidence": details})
	}
}

func handleCitation(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var c enforcement.Citation
		if err := json.NewDecoder(r.Body).Decode(&c); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		c.City = r.PathValue("city")
		out, err := deps.Scanner.IssueCitation(r.Context(), c)
		if err != nil {
			writeErr(w, err)
			return
		}
		t, err := deps.Tenants.For(c.City)
		if err == nil {
			link := []byte("https://pay.example.gov/c/" + out.ID)
			if err := t.KV.PutCached(r.Context(), "paylinks/"+out.ID, link, 30*time.Second); err != nil {
				slog.WarnContext(r.Context(), "paylink cache", "err", err)
			}
		}
		writeJSON(w, http.StatusCreated, out)
	}
}

func handleNote(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Officer string `json:"officer"`
			Note    string `json:"note"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := deps.Scanner.AddNote(r.Context(), r.PathValue("city"), r.PathValue("id"), body.Officer, body.Note); err != nil {
			writeErr(w, err)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	}
}

func handleHandheldSync(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var b enforcement.HandheldBatch
		if err := json.NewDecoder(r.Body).Decode(&b); err != nil {
			http.Error(w, err.Error(), http.StatusBadRequest)
			return
		}
		if err := deps.Scanner.SyncHandheld(r.Context(), b); err != nil {
			writeErr(w, err)
			return
		}
		deps.Officers.Stage(b.City+"/"+b.Officer, OfficerStatus{Officer: b.Officer, OnShift: true, At: deps.Clock.Now()})
		w.WriteHeader(http.StatusAccepted)
	}
}

func handleZoneRates(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		rates, err := deps.Rates.Get(r.Context(), kvkeys.ZoneKey{City: r.PathValue("city"), Zone: r.PathValue("zone")})
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, rates)
	}
}

func handleTopUp(deps Deps) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		var body struct {
			Cents int64  `json:"cents"`
			Ref   string `json:"ref"`
		}
		if err := json.NewDecoder(r.Body).Decode(&body); err != nil || body.Cents <= 0 {
			http.Error(w, "bad amount", http.StatusBadRequest)
			return
		}
		wal, err := deps.Ledger.TopUp(r.Context(), r.PathValue("city"), r.PathValue("account"), body.Cents, body.Ref)
		if err != nil {
			writeErr(w, err)
			return
		}
		writeJSON(w, http.StatusOK, wal)
	}
}

// gisRates fetches a zone's tariff from the city's GIS service.
func gisRates(base string) func(ctx context.Context, k kvkeys.ZoneKey) (ZoneRates, error) {
	return func(ctx context.Context, k kvkeys.ZoneKey) (ZoneRates, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, base+"/"+k.City+"/zones/"+k.Zone+"/tariff", nil)
		if err != nil {
			return ZoneRates{}, err
		}
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return ZoneRates{}, err
		}
		defer res.Body.Close()
		if res.StatusCode == http.StatusNotFound {
			return ZoneRates{}, domain.ErrNotFound
		}
		var zr ZoneRates
		return zr, json.NewDecoder(res.Body).Decode(&zr)
	}
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	account := os.Getenv("CF_ACCOUNT_ID")
	namespaces, err := kvstore.ParseNamespaces(os.Getenv("KV_NAMESPACES"))
	if err != nil {
		slog.Error("config", "err", err)
		os.Exit(1)
	}
	tenants := kvstore.NewRegistry(client, account, namespaces)
	shared := kvstore.New(client, account, os.Getenv("KV_SHARED_NAMESPACE"))
	clk := clock.Real{}
	finder := &permits.Finder{Tenants: tenants, Clock: clk}
	ledger := &payments.Ledger{Tenants: tenants, Clock: clk}
	scanner := &enforcement.Scanner{Tenants: tenants, Permits: finder, Clock: clk}
	scanner.Legacy.Client, scanner.Legacy.AccountID, scanner.Legacy.NamespaceID = client, account, os.Getenv("KV_FLEET_NAMESPACE")

	rateTTL := clock.Duration(os.Getenv, "RATES_CACHE_TTL", 10*time.Minute)
	deps := Deps{
		Tenants:  tenants,
		Shared:   shared,
		Finder:   finder,
		Issuer:   &permits.Issuer{Finder: finder, VisitorPassesPerMonth: clock.Int(os.Getenv, "VISITOR_PASSES", 8)},
		Ledger:   ledger,
		Webhooks: &payments.Webhooks{Ledger: ledger},
		Scanner:  scanner,
		Rates: cache.New(cache.Config[kvkeys.ZoneKey, ZoneRates]{
			Backend:  shared,
			Key:      kvkeys.ZoneKey.Key,
			TTL:      func(ZoneRates) time.Duration { return rateTTL },
			Load:     gisRates(os.Getenv("GIS_BASE_URL")),
			Capacity: 4096,
		}),
		Officers: cache.New(cache.Config[string, OfficerStatus]{
			Backend:  shared,
			Key:      func(id string) string { return "officers/" + id + "/status" },
			TTL:      func(OfficerStatus) time.Duration { return 12 * time.Hour },
			LocalTTL: time.Minute,
		}),
		Clock: clk,
	}
	go deps.Officers.Run(ctx, clock.Duration(os.Getenv, "OFFICER_FLUSH_EVERY", 20*time.Second))

	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/{city}/permits/{id}", handleGetPermit(deps, (*permits.Finder).Find))
	mux.HandleFunc("POST /v1/{city}/permits", handleIssuePermit(deps))
	mux.HandleFunc("DELETE /v1/{city}/permits/{id}", handleRevokePermit(deps))
	mux.HandleFunc("POST /v1/{city}/permits/{id}/visitors", handleVisitorPass(deps))
	mux.HandleFunc("POST /v1/webhooks/payments", handleWebhook(deps))
	mux.HandleFunc("GET /v1/{city}/check/{zone}/{plate}", handleCheck(deps))
	mux.HandleFunc("POST /v1/{city}/citations", handleCitation(deps))
	mux.HandleFunc("POST /v1/{city}/citations/{id}/notes", handleNote(deps))
	mux.HandleFunc("POST /v1/handheld/sync", handleHandheldSync(deps))
	mux.HandleFunc("GET /v1/{city}/zones/{zone}/rates", handleZoneRates(deps))
	mux.HandleFunc("POST /v1/{city}/wallets/{account}/topup", handleTopUp(deps))

	srv := &http.Server{Addr: ":" + envOr("PORT", "8080"), Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	slog.Info("api listening", "addr", srv.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("server", "err", err)
		os.Exit(1)
	}
}

func envOr(name, def string) string {
	if v := os.Getenv(name); v != "" {
		return v
	}
	return def
}

// Command courierd serves the courier handheld API and the billing export
// endpoints. It talks to Workers KV through cloudflare-go v6.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"sync"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/corncrake/internal/billing"
	"example.com/corncrake/internal/config"
	"example.com/corncrake/internal/courier"
	"example.com/corncrake/internal/kvstore"
	"example.com/corncrake/internal/kvstore/cfkv6"
)

type app struct {
	log     *slog.Logger
	tracker *courier.Tracker
	ledger  *billing.Ledger
	handoff kvstore.Store
}

func main() {
	account := flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account id")
	nsList := flag.String("courier-ns", "", "region=namespace pairs for courier data")
	billingNS := flag.String("billing-ns", "", "billing namespace id")
	handoffDSN := flag.String("handoff", "mem://", "DSN of the handoff store")
	alertWindow := flag.Duration("alert-window", 10*time.Minute, "cold-chain alert de-duplication window")
	listen := flag.String("listen", ":8081", "listen address")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")))
	nsByRegion := map[string]string{}
	for _, pair := range strings.Split(*nsList, ",") {
		if region, ns, ok := strings.Cut(pair, "="); ok {
			nsByRegion[region] = ns
		}
	}
	reg := kvstore.NewRegistry()
	reg.Register("kv6", cfkv6.Constructor(client, *account))
	handoff, err := reg.Open(ctx, *handoffDSN)
	if err != nil {
		log.Error("open handoff store", "err", err)
		os.Exit(1)
	}

	a := &app{
		log:     log,
		tracker: courier.NewTracker(client, *account, nsByRegion, *alertWindow, log),
		ledger:  billing.NewLedger(client, *account, *billingNS),
		handoff: handoff,
	}

	var wg sync.WaitGroup
	wg.Go(func() { a.tracker.Run(ctx) })
	for region := range nsByRegion {
		wg.Go(func() { a.tracker.RefreshRoutes(ctx, config.RouteRefresh, region, loadRoutes(region)) })
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/{region}/samples/{id}/scans", a.handleScan)
	mux.HandleFunc("GET /v1/{region}/samples/{id}", a.handleStatus)
	mux.HandleFunc("POST /v1/{region}/pings", a.handlePing)
	mux.HandleFunc("POST /v1/{region}/jobs/{id}/claim", a.handleClaim)
	mux.HandleFunc("POST /v1/{region}/handoffs/{id}", a.handleHandoff)
	mux.HandleFunc("GET /billing/{clinic}/{month}/export", a.handleExport)

	srv := &http.Server{Addr: *listen, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		_ = srv.Shutdown(context.Background())
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
	}
	wg.Wait()
}

func loadRoutes(region string) func(context.Context) ([]byte, error) {
	return func(ctx context.Context) ([]byte, error) {
		req, err := http.NewRequestWithContext(ctx, http.MethodGet, os.Getenv("DISPATCH_URL")+"/routes?region="+region, nil)
		if err != nil {
			return nil, err
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			return nil, err
		}
		defer resp.Body.Close()
		var doc json.RawMessage
		err = json.NewDecoder(resp.Body).Decode(&doc)
		return doc, err
	}
}

func (a *app) reply(w http.ResponseWriter, err error, v any) {
	if err != nil {
		a.log.Warn("request failed", "err", err)
		status := http.StatusBadGateway
		if errors.Is(err, courier.ErrClaimed) || errors.Is(err, billing.ErrExportBusy) {
			status = http.StatusConflict
		}
		http.Error(w, err.Error(), status)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func (a *app) handleScan(w http.ResponseWriter, r *http.Request) {
	var s courier.Scan
	if err := json.NewDecoder(r.Body).Decode(&s); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.reply(w, a.tracker.RecordScan(r.Context(), r.PathValue("region"), r.PathValue("id"), s), map[string]bool{"ok": true})
}

func (a *app) handleStatus(w http.ResponseWriter, r *http.Request) {
	st, err := a.tracker.Status(r.Context(), r.PathValue("region"), r.PathValue("id"))
	if err == nil && !st.Found {
		http.NotFound(w, r)
		return
	}
	a.reply(w, err, st.Value)
}

func (a *app) handlePing(w http.ResponseWriter, r *http.Request) {
	var p courier.Ping
	if err := json.NewDecoder(r.Body).Decode(&p); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	a.reply(w, a.tracker.ReportPing(r.Context(), r.PathValue("region"), p), map[string]bool{"ok": true})
}

func (a *app) handleClaim(w http.ResponseWriter, r *http.Request) {
	err := a.tracker.Claim(r.Context(), r.PathValue("region"), r.PathValue("id"), r.Header.Get("X-Courier-ID"))
	a.reply(w, err, map[string]bool{"claimed": err == nil})
}

// handleHandoff records that a courier passed a bag to the next leg; the
// receiving courier's app polls for it.
func (a *app) handleHandoff(w http.ResponseWriter, r *http.Request) {
	to := r.URL.Query().Get("to")
	err := kvstore.PutFor(r.Context(), a.handoff, "handoff:"+r.PathValue("id"), []byte(to), 20*time.Second)
	a.reply(w, err, map[string]string{"to": to})
}

func (a *app) handleExport(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	n, err := a.ledger.Export(r.Context(), r.PathValue("clinic"), r.PathValue("month"), w)
	if err != nil {
		a.log.Warn("export", "err", err, "written", n)
	}
}

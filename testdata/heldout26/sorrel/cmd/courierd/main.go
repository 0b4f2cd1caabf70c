// Command courierd is the courier backend: carrier webhooks, route
// assignment, nightly manifests and the jobs that keep the edge store in line
// with the planning service.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"example.com/sorrel/backend/cfkv"
	"example.com/sorrel/backend/jobs"
	"example.com/sorrel/backend/manifest"
	"example.com/sorrel/backend/routes"
	"example.com/sorrel/backend/webhook"
	"example.com/sorrel/internal/domain"
	"example.com/sorrel/internal/httpx"
	"example.com/sorrel/internal/keyspace"
)

// manifestJob runs the nightly manifest for tomorrow.
type manifestJob struct{ b *manifest.Builder }

func (m manifestJob) Name() string { return "manifest" }

func (m manifestJob) Run(ctx context.Context) error {
	rep, err := m.b.Run(ctx, time.Now().AddDate(0, 0, 1))
	log.Printf("manifest %s: %d depots, %d failed, truncated=%t", rep.Day, rep.Depots, len(rep.Failed), rep.Truncated)
	return err
}

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	prefix := flag.String("prefix", "prod:", "key prefix")
	retentionDays := flag.Int("retention-days", 30, "manifest retention")
	lockSeconds := flag.Int("lock-seconds", 30, "route edit lock lifetime")
	flag.Parse()

	token, account := os.Getenv("CLOUDFLARE_API_TOKEN"), os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	hotNS, coldNS := os.Getenv("KV_HOT_NAMESPACE"), os.Getenv("KV_COLD_NAMESPACE")
	if token == "" || account == "" || hotNS == "" {
		log.Fatal("CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and KV_HOT_NAMESPACE are required")
	}
	api := cloudflare.NewClient(option.WithAPIToken(token))
	ks := keyspace.New(*prefix)
	store := cfkv.New(api, cfkv.Config{
		AccountID:     account,
		HotNamespace:  hotNS,
		ColdNamespace: coldNS,
		ColdPrefixes:  []string{"manifest:", "mline:", "mnotes:", "audit:"},
		KeyPrefix:     *prefix,
	})
	plan := newPlanning(os.Getenv("PLANNING_URL"), os.Getenv("PLANNING_TOKEN"), 8*time.Second)

	host, _ := os.Hostname()
	locks := routes.NewLocker(api, account, hotNS, ks, host, time.Duration(*lockSeconds)*time.Second)
	rs := routes.NewService(store, ks, locks)

	whOpts := []webhook.Option{webhook.Stats(api, account, coldNS)}
	for _, pair := range strings.Split(os.Getenv("CARRIER_KEYS"), ",") {
		if name, key, ok := strings.Cut(pair, "="); ok {
			whOpts = append(whOpts, webhook.Secret(name, []byte(key)))
		}
	}
	wh := webhook.NewReceiver(store, ks, whOpts...)
	wh.SetForwarder(plan)

	mb := manifest.NewBuilder(store, store, plan, ks, manifest.RetentionDays(*retentionDays), manifest.Cold(api, account, coldNS))
	ops := &opsAPI{manifests: mb, tokens: jobs.NewTokens(api, account, os.Getenv("KV_IDENTITY_NAMESPACE"), store, ks)}

	sched := jobs.NewScheduler(15 * time.Minute)
	sched.Every(time.Minute, 15*time.Minute, jobs.NewReconciler(api, account, hotNS, ks, plan))
	sched.Every(jobs.Until(1, 0), 24*time.Hour, manifestJob{b: mb})
	defer sched.Stop()

	router := httpx.NewRouter()
	router.Use(httpx.Recover)
	router.Use(httpx.Deadline(20 * time.Second))
	for _, rt := range []struct {
		pattern string
		h       http.Handler
	}{
		{"/hooks/carrier", wh},
		{"/v1/routes/", rs},
		{"/v1/manifest/notes", http.HandlerFunc(ops.addNote)},
		{"/v1/manifest/index", http.HandlerFunc(ops.index)},
		{"/v1/drivers/revoke", http.HandlerFunc(ops.revoke)},
	} {
		router.Handle(rt.pattern, rt.h)
	}

	srv := &http.Server{Addr: *addr, Handler: router, ReadHeaderTimeout: 5 * time.Second}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	log.Printf("courierd listening on %s", *addr)

	select {
	case err := <-errc:
		if !errors.Is(err, http.ErrServerClosed) {
			log.Fatalf("serve: %v", err)
		}
	case <-ctx.Done():
		shutdownCtx, cancel := context.WithDeadline(context.Background(), time.Now().Add(15*time.Second))
		defer cancel()
		if err := srv.Shutdown(shutdownCtx); err != nil {
			log.Printf("shutdown: %v", err)
		}
		select {
		case <-errc:
		case <-time.After(20 * time.Second):
			log.Print("server did not stop in time")
		}
	}
}

// opsAPI serves the operations console.
type opsAPI struct {
	manifests *manifest.Builder
	tokens    *jobs.Tokens
}

func (a *opsAPI) addNote(w http.ResponseWriter, r *http.Request) {
	var body struct{ Date, Author, Note string }
	if err := httpx.Decode(r, 4<<10, &body); err != nil || body.Note == "" {
		httpx.Error(w, http.StatusBadRequest, "date, author and note required")
		return
	}
	if err := a.manifests.AddNote(r.Context(), body.Date, body.Author, body.Note); err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (a *opsAPI) index(w http.ResponseWriter, r *http.Request) {
	depots, err := a.manifests.Index(r.Context(), r.URL.Query().Get("date"))
	if err != nil {
		httpx.Error(w, http.StatusServiceUnavailable, err.Error())
		return
	}
	httpx.JSON(w, http.StatusOK, depots)
}

func (a *opsAPI) revoke(w http.ResponseWriter, r *http.Request) {
	var body struct{ Driver, Reason string }
	if err := httpx.Decode(r, 1<<10, &body); err != nil || body.Driver == "" {
		httpx.Error(w, http.StatusBadRequest, "driver required")
		return
	}
	n, err := a.tokens.RevokeDriver(r.Context(), body.Driver, body.Reason)
	if err != nil {
		httpx.JSON(w, http.StatusServiceUnavailable, map[string]any{"revoked": n, "error": err.Error()})
		return
	}
	httpx.JSON(w, http.StatusOK, map[string]int{"revoked": n})
}

// planningClient talks to the planning service, the system of record for
// depots, routes, parcels and drivers.
type planningClient struct {
	base  string
	token string
	http  *http.Client
}

func newPlanning(base, token string, timeout time.Duration) *planningClient {
	return &planningClient{base: strings.TrimRight(base, "/"), token: token, http: &http.Client{Timeout: timeout}}
}

func (c *planningClient) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		raw, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(raw)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+c.token)
	res, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode >= 300 {
		return fmt.Errorf("planning: %s %s: %s", method, path, res.Status)
	}
	if out == nil {
		return nil
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (c *planningClient) Depots(ctx context.Context) ([]domain.Depot, error) {
	var out []domain.Depot
	return out, c.do(ctx, http.MethodGet, "/depots", nil, &out)
}

func (c *planningClient) Routes(ctx context.Context, depot, day string) ([]domain.Route, error) {
	var out []domain.Route
	q := url.Values{"depot": {depot}, "day": {day}}
	return out, c.do(ctx, http.MethodGet, "/routes?"+q.Encode(), nil, &out)
}

func (c *planningClient) OutForDelivery(ctx context.Context) ([]domain.Parcel, error) {
	var out []domain.Parcel
	return out, c.do(ctx, http.MethodGet, "/parcels?status="+string(domain.StatusOutForDelivery), nil, &out)
}

func (c *planningClient) Correct(ctx context.Context, id string, edge domain.Status) error {
	return c.do(ctx, http.MethodPatch, "/parcels/"+url.PathEscape(id), map[string]string{"status": string(edge), "source": "edge"}, nil)
}

// Handover implements webhook.Forwarder: the partner carrier has passed the
// parcel to us, which the planning service records as an inbound scan.
func (c *planningClient) Handover(ctx context.Context, carrier string, ev webhook.Event) error {
	scan := domain.ScanEvent{ID: carrier + ":" + ev.ID, ParcelID: ev.ParcelID, Kind: domain.ScanInbound, DepotID: ev.Depot, At: ev.At}
	if err := scan.Validate(); err != nil {
		return err
	}
	return c.do(ctx, http.MethodPost, "/scans", scan, nil)
}

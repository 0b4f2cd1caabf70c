//go:build js && wasm

// Command edgeworker is the courier's Cloudflare Worker: driver sign-in,
// delivery PINs, scans, drop-off booking and public tracking pages.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"log"
	"maps"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"example.com/sorrel/edge/depot"
	"example.com/sorrel/edge/kvbind"
	"example.com/sorrel/edge/nightly"
	"example.com/sorrel/edge/pin"
	"example.com/sorrel/edge/scan"
	"example.com/sorrel/edge/session"
	"example.com/sorrel/edge/tracking"
	"example.com/sorrel/internal/domain"
	"example.com/sorrel/internal/httpx"
	"example.com/sorrel/internal/keyspace"
	"example.com/sorrel/internal/kvstore"
	"example.com/sorrel/internal/ratelimit"
)

func envInt(name string, def int) int {
	v, err := strconv.Atoi(cloudflare.Getenv(name))
	if err != nil || v <= 0 {
		return def
	}
	return v
}

// depotsFromEnv parses DEPOTS, "id=capacity,id=capacity".
func depotsFromEnv() []domain.Depot {
	var out []domain.Depot
	for _, part := range strings.Split(cloudflare.Getenv("DEPOTS"), ",") {
		id, capStr, ok := strings.Cut(strings.TrimSpace(part), "=")
		if c, err := strconv.Atoi(capStr); ok && err == nil {
			out = append(out, domain.Depot{ID: id, HourlyCapacity: c})
		}
	}
	return out
}

type app struct {
	http    http.Handler
	sweeper *nightly.Sweeper
}

func wire() (*app, error) {
	ks := keyspace.New(cloudflare.Getenv("KEY_PREFIX"))
	depots := depotsFromEnv()

	hot, err := kvbind.Open("COURIER_KV")
	if err != nil {
		return nil, err
	}
	be := newPlanning(cloudflare.Getenv("PLANNING_URL"))

	sessions := session.NewManager(hot.Raw(), ks, be,
		session.IdleTimeout(time.Duration(envInt("SESSION_IDLE_MINUTES", 120))*time.Minute),
		session.DeviceBinding(14*24*time.Hour),
	)
	sessions.SetStore(hot)

	pins := pin.NewIssuer(hot.Raw(), hot, ks, pin.MaxAttempts(3), pin.Digits(4))
	track := tracking.NewService(hot.Raw(), hot, be, ks)
	rec := scan.NewRecorder(hot.Raw(), hot, ks, scan.AuditDays(envInt("AUDIT_DAYS", 180)), scan.HistoryLength(40))
	board := depot.NewBoard(hot.Raw(), hot, ks, depots, kvstore.WithTTL(20*time.Second)) // EXPECT kvttl

	sweeper := nightly.NewSweeper(hot.Raw(), ks, board, slices.Collect(maps.Keys(board.Depots())))

	limiter := ratelimit.New(hot, ks, planOf, ratelimit.Named("edge"))

	rt := httpx.NewRouter()
	rt.Use(httpx.Recover)
	rt.Use(httpx.Deadline(10 * time.Second))
	rt.Handle("/v1/session/", session.NewHandler(sessions))
	rt.Handle("/v1/pin/", pins.Handler())
	rt.Handle("/v1/scan", rec)
	rt.Handle("/v1/scan/", rec)
	rt.Handle("/v1/depot/", board)
	rt.Handle("/t/", httpx.Chain(tracking.NewHandler(track), limiter.Wrap))
	return &app{http: rt, sweeper: sweeper}, nil
}

// planOf gives partner integrations their plan; the public gets PlanBasic.
func planOf(r *http.Request) domain.Plan {
	switch r.Header.Get("X-Partner-Plan") {
	case "enterprise":
		return domain.PlanEnterprise
	case "partner":
		return domain.PlanPartner
	}
	return domain.PlanBasic
}

// lazyApp builds the graph on first use; bindings are only reachable while a
// request or scheduled event is being handled.
type lazyApp struct {
	mu  sync.Mutex
	app *app
}

func (l *lazyApp) get() (*app, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.app != nil {
		return l.app, nil
	}
	a, err := wire()
	if err != nil {
		return nil, err
	}
	l.app = a
	return a, nil
}

func (l *lazyApp) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	a, err := l.get()
	if err != nil {
		log.Printf("wire: %v", err)
		httpx.Error(w, http.StatusInternalServerError, "misconfigured")
		return
	}
	a.http.ServeHTTP(w, r)
}

func (l *lazyApp) scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	a, err := l.get()
	if err != nil {
		return fmt.Errorf("wire: %w", err)
	}
	return a.sweeper.Run(ctx, ev.Cron, ev.ScheduledTime)
}

func main() {
	l := &lazyApp{}
	cron.ScheduleTaskNonBlock(l.scheduled)
	workers.Serve(l)
}

// planning calls the planning service for data the edge does not own.
type planning struct {
	base   string
	client *http.Client
}

func newPlanning(base string) *planning {
	return &planning{base: strings.TrimRight(base, "/"), client: &http.Client{Timeout: 5 * time.Second}}
}

func (p *planning) call(ctx context.Context, method, path string, in, out any) error {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, p.base+path, &body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := p.client.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode != http.StatusOK {
		return fmt.Errorf("planning: %s: %s", path, res.Status)
	}
	return json.NewDecoder(res.Body).Decode(out)
}

func (p *planning) Parcel(ctx context.Context, id string) (domain.Parcel, error) {
	var out domain.Parcel
	return out, p.call(ctx, http.MethodGet, "/parcels/"+url.PathEscape(id), nil, &out)
}

func (p *planning) Check(ctx context.Context, driverID, secret string) (domain.Driver, error) {
	var d domain.Driver
	return d, p.call(ctx, http.MethodPost, "/drivers/check", map[string]string{"driver": driverID, "secret": secret}, &d)
}

// Command heron-api is the backend service: gift cards, capacity, pledges
// and member sign-in, plus the periodic jobs.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"example.com/heron/internal/api"
	"example.com/heron/internal/capacity"
	"example.com/heron/internal/config"
	"example.com/heron/internal/domain"
	"example.com/heron/internal/events"
	"example.com/heron/internal/giftcard"
	"example.com/heron/internal/jobs"
	"example.com/heron/internal/members"
	"example.com/heron/internal/platform/backend"
	"example.com/heron/internal/platform/cfkv"
	"example.com/heron/internal/pledges"
)

func main() {
	if err := run(); err != nil {
		slog.Error("heron-api", "err", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	store, err := backend.Open(cfg)
	if err != nil {
		return err
	}

	bus := &events.Bus{}
	cms := newUpstream(os.Getenv("HERON_CMS_URL"))
	crm := newUpstream(os.Getenv("HERON_CRM_URL"))

	gift := giftcard.New(store, cfg.Namespaces.GiftCards)
	capSvc := capacity.New(store, cfg.Namespaces.Tickets, cms)
	pl := pledges.New(store, cfg.Namespaces.Pledges, bus, pledges.WithReminderLead(cfg.ReminderLead))
	mem := members.New(store, cfg.Namespaces.Sessions, cfg.Namespaces.Members, crm, bus, cfg.SessionLifetime)
	rev := members.NewRevoker(cfkv.DefaultAPI(), cfg.AccountID, cfg.Namespaces.Sessions)

	bus.On(events.PledgeReceived{}.EventName(), func(ctx context.Context, e events.Event) error {
		p := e.(events.PledgeReceived).Pledge
		slog.Info("pledge received", "fund", p.Fund, "amount_cents", p.AmountCts)
		return nil
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	jcfg := jobs.DefaultConfig()
	tickets := store.Namespace(cfg.Namespaces.Tickets)
	runner := jobs.NewRunner(cfg.SweepEvery,
		jobs.ArchiveScans{Hot: tickets, Archive: store.Namespace(cfg.Namespaces.Tickets + "-archive"), Cfg: jcfg},
		jobs.PurgeRefunded{Tickets: tickets, Cfg: jcfg},
		jobs.CatalogVersion{CMS: cms, Edge: tickets},
	)
	runner.Start(ctx)

	srv := &http.Server{
		Addr:              cfg.Addr,
		Handler:           api.Routes(api.Services{GiftCards: gift, Capacity: capSvc, Pledges: pl, Members: mem, Revoker: rev}),
		ReadHeaderTimeout: 5 * time.Second,
	}
	context.AfterFunc(ctx, func() {
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	})
	slog.Info("listening", "addr", cfg.Addr, "backend", cfg.Backend)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// upstream is a JSON-over-HTTP client for the CMS and the CRM.
type upstream struct {
	base string
	hc   *http.Client
}

func newUpstream(base string) *upstream {
	return &upstream{base: strings.TrimRight(base, "/"), hc: &http.Client{Timeout: 10 * time.Second}}
}

func (u *upstream) call(ctx context.Context, method, path string, in, out any) (http.Header, error) {
	var body bytes.Buffer
	if in != nil {
		if err := json.NewEncoder(&body).Encode(in); err != nil {
			return nil, err
		}
	}
	req, err := http.NewRequestWithContext(ctx, method, u.base+path, &body)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := u.hc.Do(req)
	if err != nil {
		return nil, err
	}
	defer res.Body.Close()
	if res.StatusCode/100 != 2 {
		return nil, fmt.Errorf("%s %s: %s", method, path, res.Status)
	}
	if out == nil || res.StatusCode == http.StatusNoContent {
		return res.Header, nil
	}
	return res.Header, json.NewDecoder(res.Body).Decode(out)
}

// Exhibit implements capacity.Catalog.
func (u *upstream) Exhibit(ctx context.Context, id string) (domain.Exhibit, error) {
	var e domain.Exhibit
	_, err := u.call(ctx, http.MethodGet, "/exhibits/"+url.PathEscape(id), nil, &e)
	return e, err
}

// ETag implements jobs.Catalog.
func (u *upstream) ETag(ctx context.Context) (string, error) {
	h, err := u.call(ctx, http.MethodHead, "/exhibits", nil, nil)
	return h.Get("ETag"), err
}

// SetPassword implements members.Directory.
func (u *upstream) SetPassword(ctx context.Context, memberID, password string) error {
	_, err := u.call(ctx, http.MethodPost, "/members/"+url.PathEscape(memberID)+"/password", map[string]string{"password": password}, nil)
	return err
}

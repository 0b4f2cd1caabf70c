// Command estuaryd runs the estuary API and its background jobs.
package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	optv2 "github.com/cloudflare/cloudflare-go/v2/option"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"example.com/estuary/internal/auth"
	"example.com/estuary/internal/cache"
	"example.com/estuary/internal/catalog"
	"example.com/estuary/internal/config"
	"example.com/estuary/internal/httpapi"
	"example.com/estuary/internal/ids"
	"example.com/estuary/internal/kvstore/cfkv"
	"example.com/estuary/internal/lease"
	"example.com/estuary/internal/legacy/audit"
	"example.com/estuary/internal/metrics"
	"example.com/estuary/internal/orders"
	"example.com/estuary/internal/outbox"
	"example.com/estuary/internal/projection"
	"example.com/estuary/internal/quota"
	"example.com/estuary/internal/ratelimit"
	"example.com/estuary/internal/session"
)

func main() {
	if err := run(); err != nil {
		slog.Error("estuaryd", "err", err)
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load(os.Getenv("ESTUARY_CONFIG"))
	if err != nil {
		return err
	}
	cf := cloudflare.NewClient(option.WithAPIToken(cfg.Cloudflare.APIToken), option.WithMaxRetries(3))
	legacy := cfv2.NewClient(optv2.WithAPIToken(cfg.Legacy.APIToken))
	acct, ns := cfg.Cloudflare.AccountID, cfg.Cloudflare.Namespaces

	configKV := cfkv.New(cf, acct, ns.Config)
	sessionsKV := cfkv.New(cf, acct, ns.Sessions)
	eventsKV := cfkv.New(cf, acct, ns.Events)
	countersKV := cfkv.New(cf, acct, ns.Counters)
	up := &upstream{base: os.Getenv("ESTUARY_UPSTREAM"), hc: &http.Client{Timeout: 10 * time.Second}}

	sessions := session.New(sessionsKV, cfg.Session, cfg.Keys)
	ob := outbox.New(eventsKV, cfg.Outbox.Retention.Std(), cfg.Outbox.Batch, cfg.Maint.PageBudget)
	tiered := cache.New(cfkv.New(cf, acct, ns.Cache), cfg.Cache.LocalTTL.Std(), cfg.Cache.RemoteTTL.Std(), cfg.Cache.RefreshAhead.Std())
	cat := catalog.New(configKV)
	deps := httpapi.Deps{
		Config:      cfg,
		Store:       configKV,
		Sessions:    sessions,
		Auth:        auth.New(sessionsKV, sessions, up, up),
		Orders:      orders.NewService(eventsKV, cfg.Keys, projection.New(eventsKV, eventsKV), cfg.Outbox.Retention.Std()),
		Catalog:     cat,
		Quota:       quota.New(countersKV, cfg.Keys, cfg.Limits),
		Limiter:     ratelimit.New(cf, acct, ns.Counters, cfg.Limits.Rate, cfg.Limits.Burst),
		Outbox:      ob,
		Views:       metrics.NewViews(countersKV, cfg.Keys.Views, cfg.Metrics.Shards),
		Leaderboard: metrics.NewLeaderboard(countersKV, 20),
		Reports:     metrics.NewReports(cfkv.New(cf, acct, ns.Cache), up.Query),
		Cache:       tiered,
		Profiles:    up.Profile,
		Billing:     up.Limits,
		Audit:       audit.New(legacy, cfg.Legacy.AccountID, cfg.Legacy.NamespaceID, cfg.Legacy.Retention.Std()),
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	holder := ids.NewHolderID()
	go relayLoop(ctx, cfg, lease.New(cf, acct, ns.Config, holder, cfg.Lease.Hold.Std()), ob, cat)

	srv := &http.Server{Addr: cfg.Listen, Handler: httpapi.New(deps), ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	slog.Info("estuaryd listening", "addr", cfg.Listen, "holder", holder)
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return srv.Shutdown(shutdownCtx)
}

// relayLoop delivers outbox events. Only the lease holder relays; it keeps
// the lease for one hold period, then gives others a chance.
func relayLoop(ctx context.Context, cfg *config.Config, locker *lease.Locker, ob *outbox.Outbox, cat *catalog.Catalog) {
	deliver := func(ctx context.Context, ev outbox.Event) error {
		acct, ok := strings.CutPrefix(ev.Type, "ingest.")
		if !ok {
			return nil
		}
		hook, err := cat.Webhook(ctx, ids.AccountID(acct))
		if err != nil {
			return err
		}
		req, err := http.NewRequestWithContext(ctx, http.MethodPost, hook, bytes.NewReader(ev.Payload))
		if err != nil {
			return err
		}
		req.Header.Set("Content-Type", "application/json")
		req.Header.Set("Estuary-Sequence", fmt.Sprint(ev.Seq))
		res, err := http.DefaultClient.Do(req)
		if err != nil {
			return err
		}
		res.Body.Close()
		if res.StatusCode >= 300 {
			return fmt.Errorf("webhook %s: %s", hook, res.Status)
		}
		return nil
	}
	poll := cfg.Outbox.PollEvery.Std()
	for ctx.Err() == nil {
		err := locker.Run(ctx, "relay-"+cfg.Outbox.Stream, func(ctx context.Context) error { // DEBATABLE kvhotkey
			for {
				select {
				case <-ctx.Done():
					return nil
				case <-time.After(poll):
				}
				if n, err := ob.Relay(ctx, cfg.Outbox.Stream, deliver); err != nil {
					slog.Warn("relay stopped early", "delivered", n, "err", err)
				}
			}
		})
		if err != nil {
			slog.Warn("relay lease", "err", err)
		}
		select {
		case <-ctx.Done():
		case <-time.After(poll):
		}
	}
}

// upstream is the internal gateway in front of the account directory,
// billing, the mailer and the warehouse.
type upstream struct {
	base string
	hc   *http.Client
}

var errUpstream404 = errors.New("upstream: not found")

func (u *upstream) do(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return err
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.base+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Content-Type", "application/json")
	res, err := u.hc.Do(req)
	if err != nil {
		return err
	}
	defer res.Body.Close()
	if res.StatusCode == http.StatusNotFound {
		return errUpstream404
	} else if res.StatusCode >= 300 {
		return fmt.Errorf("upstream: %s %s: %s", method, path, res.Status)
	}
	if raw, ok := out.(*[]byte); ok {
		*raw, err = io.ReadAll(res.Body)
		return err
	} else if out != nil {
		return json.NewDecoder(res.Body).Decode(out)
	}
	return nil
}

func acctPath(acct ids.AccountID, rest string) string {
	return "/accounts/" + url.PathEscape(acct.String()) + rest
}

func (u *upstream) Profile(ctx context.Context, acct ids.AccountID) (b []byte, err error) {
	if err = u.do(ctx, http.MethodGet, acctPath(acct, "/profile"), nil, &b); errors.Is(err, errUpstream404) {
		return nil, cache.ErrMissing
	}
	return b, err
}

func (u *upstream) CheckPassword(ctx context.Context, acct ids.AccountID, pw string) error {
	return u.do(ctx, http.MethodPost, acctPath(acct, "/password/check"), map[string]string{"password": pw}, nil)
}

func (u *upstream) SetPassword(ctx context.Context, acct ids.AccountID, pw string) error {
	return u.do(ctx, http.MethodPut, acctPath(acct, "/password"), map[string]string{"password": pw}, nil)
}

func (u *upstream) Send(ctx context.Context, acct ids.AccountID, subject, body string) error {
	return u.do(ctx, http.MethodPost, "/mail", map[string]string{"account": acct.String(), "subject": subject, "body": body}, nil)
}

func (u *upstream) Limits(ctx context.Context, acct ids.AccountID) (l quota.Limits, err error) {
	err = u.do(ctx, http.MethodGet, acctPath(acct, "/plan/limits"), nil, &l)
	return l, err
}

func (u *upstream) Query(ctx context.Context, sql string) (b []byte, err error) {
	err = u.do(ctx, http.MethodPost, "/warehouse/query", map[string]string{"sql": sql}, &b)
	return b, err
}

// Command relayd runs the relay chat backend: the JSON API, the fan-out
// workers and the nightly compaction job.
package main

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/relay/internal/cfns"
	"example.com/relay/internal/channels"
	"example.com/relay/internal/compaction"
	"example.com/relay/internal/config"
	"example.com/relay/internal/fanout"
	"example.com/relay/internal/history"
	"example.com/relay/internal/httpapi"
	"example.com/relay/internal/kvrest"
	"example.com/relay/internal/linkpreview"
	"example.com/relay/internal/moderation"
	"example.com/relay/internal/presence"
	"example.com/relay/internal/push"
	"example.com/relay/internal/retry"
	"example.com/relay/internal/sessions"
	"example.com/relay/internal/store"
	"example.com/relay/internal/store/cfkv"
	"example.com/relay/internal/store/decorate"
	"example.com/relay/internal/unread"
	"example.com/relay/internal/workspace"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(log); err != nil {
		log.Error("relayd exited", "err", err)
		os.Exit(1)
	}
}

// unreadOps wires the unread counters straight to the namespace: they run
// for every delivered message and the decorators' logging was too noisy.
func unreadOps(ns cfns.Namespace) unread.Ops {
	return unread.Ops{
		Get: func(ctx context.Context, key string) (string, bool, error) {
			res, err := ns.Client.KV.Namespaces.Values.Get(ctx, ns.ID, key, kv.NamespaceValueGetParams{
				AccountID: cloudflare.F(ns.AccountID),
			})
			if cfns.IsNotFound(err) {
				return "", false, nil
			}
			if err != nil {
				return "", false, err
			}
			defer res.Body.Close()
			b, err := io.ReadAll(res.Body)
			return string(b), err == nil, err
		},
		Put: func(ctx context.Context, key, value string, ttlSeconds int) error {
			params := kv.NamespaceValueUpdateParams{
				AccountID: cloudflare.F(ns.AccountID),
				Value:     cloudflare.F(value),
			}
			if ttlSeconds > 0 {
				params.ExpirationTTL = cloudflare.F(float64(ttlSeconds))
			}
			_, err := ns.Client.KV.Namespaces.Values.Update(ctx, ns.ID, key, params)
			return err
		},
		Delete: func(ctx context.Context, key string) error {
			_, err := ns.Client.KV.Namespaces.Values.Delete(ctx, ns.ID, key, kv.NamespaceValueDeleteParams{
				AccountID: cloudflare.F(ns.AccountID),
			})
			if cfns.IsNotFound(err) {
				return nil
			}
			return err
		},
	}
}

type logSender struct{ log *slog.Logger }

func (s logSender) Send(ctx context.Context, d push.Device, n push.Notification) error {
	s.log.InfoContext(ctx, "push", "platform", d.Platform, "device", d.DeviceID, "title", n.Title)
	return nil
}

// noPasswords rejects every login until an identity provider is configured.
type noPasswords struct{}

func (noPasswords) Verify(context.Context, string, string) (string, error) {
	return "", errors.New("no identity provider configured")
}

func run(log *slog.Logger) error {
	cfg, err := config.Load(os.Getenv("RELAY_CONFIG"), os.Args[1:])
	if err != nil {
		return err
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	client := cfns.NewClient(cfg.APIToken, "")
	mainNS := cfns.Open(client, cfg.AccountID, cfg.Namespaces.Main)
	sessNS := cfns.Open(client, cfg.AccountID, cfg.Namespaces.Sessions)
	wrap := func(ns cfns.Namespace, defaults store.PutOptions) store.Store {
		return decorate.Chain(cfkv.New(ns, defaults), decorate.Logging(log), decorate.Retry(retry.Default))
	}
	mainStore := wrap(mainNS, store.PutOptions{})
	cacheStore := wrap(cfns.Open(client, cfg.AccountID, cfg.Namespaces.Cache), store.PutOptions{TTL: cfg.PreviewTTL.Duration})

	sess := sessions.NewManager(wrap(sessNS, store.PutOptions{}), sessNS, sessions.Options{
		SessionTTL:  cfg.SessionTTL.Duration,
		DeviceTTL:   cfg.DeviceTokenTTL.Duration,
		MaxAttempts: 8,
	})
	chans := channels.New(mainStore)
	hist := history.New(mainStore, mainNS, 100)
	counter, err := unread.New(unreadOps(mainNS))
	if err != nil {
		return err
	}
	hc := &http.Client{Timeout: 10 * time.Second}
	rc := &kvrest.Client{HTTP: hc, Base: cfg.APIBase, AccountID: cfg.AccountID, NamespaceID: cfg.Namespaces.Main, Token: cfg.APIToken}
	pushSvc := push.New(rc, logSender{log}, cfg.DeviceTokenTTL.Duration, 500)
	previews := linkpreview.New(cacheStore, linkpreview.HTTPFetcher{Client: hc}, cfg.PreviewTTL.Duration)
	if err := previews.Warm(ctx); err != nil {
		log.Warn("preview warm-up failed", "err", err)
	}

	pool := fanout.New(fanout.Deps{
		Roster:    chans.Roster,
		Increment: counter.Increment,
		Notify:    pushSvc.Notify,
		Forget:    hist.Forget,
		Inbox:     mainNS,
	}, cfg.FanoutWorkers, cfg.FanoutTimeout.Duration, log)
	pool.Start(ctx)
	defer pool.Stop()

	job := compaction.New(mainStore, mainNS, chans, cfg.CompactionPageBudget, log)
	go nightly(ctx, log, 3, job.Run)

	srv := &httpapi.Server{
		Sessions:   sess,
		Workspaces: workspace.New(mainStore, mainNS, cfg.InviteTTL.Duration),
		Channels:   chans,
		Presence:   presence.New(mainStore, cfg.PresenceInterval.Duration),
		Previews:   previews,
		Moderation: &moderation.Lists{HTTP: hc, AccountID: cfg.AccountID, Namespace: cfg.Namespaces.Moderation, Token: cfg.APIToken},
		Fanout:     pool,
		Passwords:  noPasswords{},
		State:      mainStore,
		Stats:      mainNS,
		RateMax:    cfg.RateLimitMax,
		RateWindow: cfg.RateLimitWindow.Duration,
		Log:        log,
	}
	hs := &http.Server{Addr: cfg.Listen, Handler: srv.Handler(), ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	log.Info("listening", "addr", cfg.Listen)
	if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// nightly calls fn every day at hour (UTC) until ctx is done.
func nightly(ctx context.Context, log *slog.Logger, hour int, fn func(context.Context) (compaction.Report, error)) {
	for {
		now := time.Now().UTC()
		next := time.Date(now.Year(), now.Month(), now.Day(), hour, 0, 0, 0, time.UTC)
		if !next.After(now) {
			next = next.Add(24 * time.Hour)
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(time.Until(next)):
		}
		runCtx, cancel := context.WithTimeout(ctx, 90*time.Minute)
		rep, err := fn(runCtx)
		cancel()
		switch {
		case errors.Is(err, compaction.ErrBusy):
			log.Info("compaction skipped: lease held elsewhere")
		case err != nil:
			log.Error("compaction failed", "err", err, "report", rep)
		default:
			log.Info("compaction done", "report", rep)
		}
	}
}

// Command linnet-backend runs the back-office API and the background jobs
// that maintain the KV data the Worker serves.
package main

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/linnet/internal/backend/admin"
	"example.com/linnet/internal/backend/api"
	"example.com/linnet/internal/backend/restkv"
	"example.com/linnet/internal/booking"
	"example.com/linnet/internal/config"
	"example.com/linnet/internal/flags"
	"example.com/linnet/internal/jobs"
	"example.com/linnet/internal/leaderboard"
	"example.com/linnet/internal/repo"
	"example.com/linnet/internal/session"
	"example.com/linnet/internal/storage"
	"example.com/linnet/internal/storage/memstore"
	"example.com/linnet/internal/storage/prefixstore"
	"example.com/linnet/internal/storage/tracing"
	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"
)

type app struct {
	cfg      config.Config
	log      *slog.Logger
	ns       admin.Namespace
	store    storage.Store
	board    *leaderboard.Service
	bookings *booking.Service
	remote   services
	deps     api.Deps
}

func newApp(cfg config.Config, log *slog.Logger) *app {
	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")), option.WithMaxRetries(3))
	rest := restkv.New(client, cfg.Cloudflare.AccountID, cfg.Cloudflare.NamespaceID)
	store := prefixstore.New(tracing.Wrap(rest, "kv", log, nil), prefixstore.Route("tmp:", memstore.New(nil)))
	fl := flags.NewSource(store, time.Minute, flags.Document{})
	a := &app{cfg: cfg, log: log, ns: admin.NewNamespace(client, cfg), store: store,
		board: leaderboard.New(store, fl, cfg.Leaderboard),
		remote: services{client: &http.Client{Timeout: 10 * time.Second},
			mail: os.Getenv("MAIL_ENDPOINT"), paymentsURL: os.Getenv("PAYMENTS_URL")},
	}
	a.bookings = booking.New(store, a.remote, cfg.Booking)
	a.deps = api.Deps{
		Store:      store,
		Rest:       rest,
		Namespace:  a.ns,
		Bookings:   a.bookings,
		Sessions:   session.New(store, cfg.Sessions, a.remote, a.remote),
		Board:      a.board,
		Flags:      fl,
		XP:         repo.New[api.XPRecord](store, "xp:"),
		Queue:      jobs.New(cfg.Jobs.QueueDepth, log),
		AdminToken: os.Getenv("LINNET_ADMIN_TOKEN"),
		Log:        log,
	}
	return a
}

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	a := newApp(config.MustLoad(), log)
	if err := a.serve(); err != nil {
		log.Error("linnet-backend", "err", err)
		os.Exit(1)
	}
}

func (a *app) serve() error {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	if err := a.ns.Health(ctx); err != nil {
		return fmt.Errorf("kv namespace check: %w", err)
	}
	go a.deps.Queue.Run(ctx)
	a.every(ctx, "leaderboards", a.cfg.Leaderboard.PublishEvery, a.publishLeaderboards)
	a.every(ctx, "reminders", time.Minute, a.sendReminders)
	a.every(ctx, "nightly", 24*time.Hour, a.nightly)

	srv := &http.Server{Addr: ":8080", Handler: api.New(a.deps), ReadHeaderTimeout: 5 * time.Second}
	errc := make(chan error, 1)
	go func() { errc <- srv.ListenAndServe() }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	shutdown, cancel := context.WithTimeout(context.Background(), a.cfg.Jobs.DrainTimeout)
	defer cancel()
	return errors.Join(srv.Shutdown(shutdown), a.deps.Queue.Close(shutdown))
}

// every runs fn on a ticker until ctx ends. Runs never overlap.
func (a *app) every(ctx context.Context, name string, d time.Duration, fn func(context.Context) error) {
	go func() {
		t := time.NewTicker(d)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := fn(ctx); err != nil {
					a.log.Warn("scheduled job failed", "job", name, "err", err)
				}
			}
		}
	}()
}

// publishLeaderboards ranks every class in the directory the Worker keeps.
func (a *app) publishLeaderboards(ctx context.Context) error {
	classes, err := storage.GetJSON[[]string](ctx, a.store, "directory:classes")
	if err != nil {
		return err
	}
	var errs []error
	for _, c := range classes {
		_, err := a.board.Publish(ctx, c)
		errs = append(errs, err)
	}
	errs = append(errs, a.ns.Touch(ctx, "leaderboard-publish", time.Now()))
	return errors.Join(errs...)
}

func (a *app) sendReminders(ctx context.Context) error {
	due, err := a.bookings.DueReminders(ctx, 3)
	for _, id := range due {
		b, err := a.bookings.Get(ctx, id)
		if err != nil {
			continue
		}
		if err := a.remote.SendReminder(ctx, b); err != nil {
			return err
		}
		if err := a.bookings.Reminded(ctx, id); err != nil {
			return err
		}
	}
	return err
}

func (a *app) nightly(ctx context.Context) error {
	f, err := os.CreateTemp(os.Getenv("LINNET_SPOOL"), "kv-keys-*.tsv")
	if err != nil {
		return err
	}
	_, err = a.ns.ExportKeys(ctx, "", f)
	err = errors.Join(err, f.Close(), a.ns.SyncDirectory(ctx, func(names []string) error {
		a.log.Info("indexing tutors", "count", len(names))
		return nil
	}))
	missing, perr := a.ns.ProbeUnitIntros(ctx)
	if len(missing) > 0 {
		a.log.Warn("unit intros missing", "keys", missing)
	}
	_, cerr := admin.PurgeCancelled(ctx, a.store, func(id string) bool {
		_, err := os.Stat(os.Getenv("LINNET_SPOOL") + "/archived/" + id)
		return err == nil
	})
	return errors.Join(err, perr, cerr)
}

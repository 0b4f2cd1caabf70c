// Command leagued is the league backend: the admin API, the internal API
// the edge worker calls, and the periodic jobs.
package main

import (
	"context"
	"database/sql"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/plover/internal/backend/api"
	"example.com/plover/internal/backend/cfkv"
	"example.com/plover/internal/backend/config"
	"example.com/plover/internal/backend/fixtures"
	"example.com/plover/internal/backend/jobs"
	"example.com/plover/internal/backend/roster"
	"example.com/plover/internal/backend/storage"
	"example.com/plover/internal/league"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	slog.SetDefault(log)
	if err := run(log); err != nil {
		log.Error("leagued", "err", err)
		os.Exit(1)
	}
}

func run(log *slog.Logger) error {
	cfg, err := config.Load()
	if err != nil {
		return err
	}
	prov, err := storage.Open(cfg)
	if err != nil {
		return err
	}
	db, err := sql.Open(os.Getenv("PLOVER_SQL_DRIVER"), os.Getenv("PLOVER_SQL_DSN"))
	if err != nil {
		return err
	}
	defer db.Close()

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	ns := prov.Namespace(cfg.NamespaceID)
	cf := cfkv.Default()
	bus := &league.Bus{}
	ledger := &sqlLedger{db: db}
	mail := mailLog{log: log}

	rs := roster.New(ns, bus)
	fx := fixtures.New(ns, cf, cfg.AccountID, cfg.NamespaceID, bus)
	runner := jobs.New(cf, cfg, ns, ledger, mail, log)
	srv := api.New(cfg, prov, cf, rs, fx, runner, ledger)

	runner.Start(ctx)

	hs := &http.Server{Addr: cfg.Addr, Handler: srv.Routes(), ReadHeaderTimeout: 10 * time.Second}
	context.AfterFunc(ctx, func() {
		shut, cancel := context.WithTimeout(context.Background(), 20*time.Second)
		defer cancel()
		if err := hs.Shutdown(shut); err != nil {
			log.Warn("shutdown", "err", err)
		}
	})
	log.Info("listening", "addr", cfg.Addr, "backend", cfg.Backend, "listeners", bus.Len())
	if err := hs.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

// sqlLedger reads results from the registration database.
type sqlLedger struct{ db *sql.DB }

func (l *sqlLedger) ActiveSeasons(ctx context.Context) ([]league.SeasonID, error) {
	rows, err := l.db.QueryContext(ctx, `SELECT id FROM seasons WHERE now() BETWEEN starts_at AND ends_at`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var ids []league.SeasonID
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		ids = append(ids, league.SeasonID(id))
	}
	return ids, rows.Err()
}

func (l *sqlLedger) Standings(ctx context.Context, query string, season league.SeasonID) ([]league.Standing, error) {
	if query == "" {
		query = `SELECT team, played, won, drawn, lost, gf, ga, points FROM standings WHERE season_id = $1`
	}
	rows, err := l.db.QueryContext(ctx, query, string(season))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []league.Standing
	for rows.Next() {
		var s league.Standing
		if err := rows.Scan(&s.Team, &s.Played, &s.Won, &s.Drawn, &s.Lost, &s.For, &s.Against, &s.Points); err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, rows.Err()
}

// mailLog stands in for the mail relay until it is configured.
type mailLog struct{ log *slog.Logger }

func (m mailLog) RemindReferee(ctx context.Context, referee, match string) error {
	m.log.Info("remind referee", "referee", referee, "match", match)
	return nil
}

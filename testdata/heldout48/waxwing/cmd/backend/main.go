// Command backend is the origin service behind the edge Worker: it ingests
// match results, serves leaderboards and ban administration, and runs the
// season rollover job.
package main

import (
	"context"
	"database/sql"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"github.com/lanternforge/waxwing/internal/bans"
	"github.com/lanternforge/waxwing/internal/kvstore"
	"github.com/lanternforge/waxwing/internal/leaderboard"
	"github.com/lanternforge/waxwing/internal/matches"
	"github.com/lanternforge/waxwing/internal/season"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	job := flag.String("job", "", "run a job (rollover) and exit")
	seasonLength := flag.Duration("season-length", 8*7*24*time.Hour, "length of a season")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN")), option.WithMaxRetries(2))
	account := os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	game := kvstore.NewLogged(kvstore.New(api, account, os.Getenv("KV_GAME_NAMESPACE")), log)
	sessions := kvstore.NewLogged(kvstore.New(api, account, os.Getenv("KV_SESSION_NAMESPACE")), log)
	db, err := sql.Open("pgx", os.Getenv("DATABASE_URL"))
	if err != nil {
		log.Error("database", "err", err)
		os.Exit(1)
	}
	board := leaderboard.New(game, db, log)
	totals := kvstore.NewWriteBehind(game, 5*time.Second, log)
	results := matches.New(game, board, totals, log)
	banSvc := bans.New(game, sessions, log)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	switch *job {
	case "":
	case "rollover":
		err = season.NewRollover(game, board, *seasonLength, log).Run(ctx)
	default:
		err = errors.New("unknown job")
	}
	if *job != "" {
		if err != nil {
			log.Error("job failed", "job", *job, "err", err)
			os.Exit(1)
		}
		return
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /hooks/match-result", results.HandleWebhook)
	mux.HandleFunc("POST /admin/bans", banSvc.HandleBan)
	mux.HandleFunc("GET /admin/bans", banSvc.HandleList)
	mux.HandleFunc("DELETE /admin/bans/{player}", banSvc.HandleUnban)
	mux.HandleFunc("POST /admin/tokens/{jti}/revoke", banSvc.HandleRevokeToken)

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
		defer cancel()
		srv.Shutdown(shutdown)
		if err := totals.Flush(shutdown); err != nil {
			log.Warn("final flush", "err", err)
		}
	}()
	log.Info("listening", "addr", *addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("serve", "err", err)
		os.Exit(1)
	}
}

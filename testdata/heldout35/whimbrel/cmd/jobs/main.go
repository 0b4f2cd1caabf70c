// Command jobs runs the trivia service's background maintenance against
// the Cloudflare REST API.
package main

import (
	"context"
	"encoding/json"
	"log/slog"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	"whimbrel/internal/backend"
	"whimbrel/internal/config"
)

func main() {
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	token := os.Getenv("CF_API_TOKEN")
	account := os.Getenv("CF_ACCOUNT_ID")
	every, err := time.ParseDuration(os.Getenv("COMPACT_EVERY"))
	if err != nil || every <= 0 {
		every = 10 * time.Minute
	}
	window, err := time.ParseDuration(os.Getenv("CHEAT_WINDOW"))
	if err != nil {
		window = 2 * time.Minute
	}
	budget, err := strconv.Atoi(os.Getenv("LIST_PAGE_BUDGET"))
	if err != nil || budget <= 0 {
		budget = config.Base.MaxPages
	}

	j := &backend.Jobs{
		Game:       backend.NewKV(token, account, os.Getenv("GAME_NAMESPACE_ID")),
		Sessions:   backend.NewKV(token, account, os.Getenv("SESSIONS_NAMESPACE_ID")),
		Log:        log,
		PageBudget: budget,
		Window:     window,
	}

	matches := make(chan backend.MatchRecord, 64)
	go func() {
		defer close(matches)
		dec := json.NewDecoder(os.Stdin)
		for {
			var m backend.MatchRecord
			if err := dec.Decode(&m); err != nil {
				return
			}
			select {
			case matches <- m:
			case <-ctx.Done():
				return
			}
		}
	}()
	go func() {
		if err := j.ConsumeMatches(ctx, matches); err != nil {
			log.Error("consume", "err", err)
		}
	}()
	if season := os.Getenv("SEASON"); season != "" {
		if err := j.EnsureSeasonSettings(ctx, season); err != nil {
			log.Error("season", "err", err)
		}
	}
	j.RunCompactor(ctx, every)
}

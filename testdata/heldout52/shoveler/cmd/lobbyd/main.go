// Command lobbyd is the matchmaking backend: it receives match results from
// game servers, maintains leaderboards and bans, and publishes season config
// into Workers KV through the Cloudflare API.
package main

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/option"

	"github.com/arcadia-games/shoveler/internal/anticheat"
	"github.com/arcadia-games/shoveler/internal/config"
	"github.com/arcadia-games/shoveler/internal/kvbase"
	"github.com/arcadia-games/shoveler/internal/leaderboard"
	"github.com/arcadia-games/shoveler/internal/restkv"
	"github.com/arcadia-games/shoveler/internal/season"
	"github.com/arcadia-games/shoveler/internal/tenant"
)

// sqlMatches implements leaderboard.MatchDB over the match database.
type sqlMatches struct{ db *sql.DB }

func (m sqlMatches) CountMatches(ctx context.Context, day time.Time) (int, error) {
	var n int
	err := m.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM match_results WHERE finished_at >= ? AND finished_at < ?`,
		day.Truncate(24*time.Hour), day.Truncate(24*time.Hour).Add(24*time.Hour)).Scan(&n)
	return n, err
}

func (m sqlMatches) TopScores(ctx context.Context, seasonID, region string, n int) ([]leaderboard.Entry, error) {
	rows, err := m.db.QueryContext(ctx, `SELECT player_id, SUM(points) FROM match_results WHERE season_id = ? AND region = ? GROUP BY player_id ORDER BY 2 DESC LIMIT ?`, seasonID, region, n)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []leaderboard.Entry
	for rows.Next() {
		e := leaderboard.Entry{Region: region}
		if err := rows.Scan(&e.Player, &e.Score); err != nil {
			return nil, err
		}
		out = append(out, e)
	}
	return out, rows.Err()
}

type server struct {
	cfg       config.Config
	boards    *leaderboard.BoardStore
	bans      *anticheat.BanStore
	publisher *season.Publisher
	auth      *restkv.Client
	season    string
}

func (s *server) submit(w http.ResponseWriter, r *http.Request) {
	var body struct {
		Results []leaderboard.Entry `json:"results"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	ctx := tenant.FromRequest(r)
	var errs []error
	for _, e := range body.Results {
		errs = append(errs, s.boards.Submit(ctx, r.PathValue("season"), e)) // EXPECT kvhotkey
	}
	if err := errors.Join(errs...); err != nil {
		var throttled *kvbase.ThrottledError
		if errors.As(err, &throttled) {
			w.Header().Set("Retry-After", "2")
			http.Error(w, "leaderboard busy", http.StatusTooManyRequests)
			return
		}
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusAccepted)
}

func (s *server) publishSeason(w http.ResponseWriter, r *http.Request) {
	if err := s.boards.PublishSeason(r.Context(), r.PathValue("season"), s.cfg.FanOutRegions); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *server) revoke(w http.ResponseWriter, r *http.Request) {
	ctx := tenant.FromRequest(r)
	var body struct {
		Sessions []string `json:"sessions"`
	}
	if err := json.NewDecoder(r.Body).Decode(&body); err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	if err := s.bans.RevokeTokens(ctx, r.PathValue("id"), s.auth, body.Sessions, kvbase.Keys.Session); err != nil {
		http.Error(w, err.Error(), http.StatusBadGateway)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

// schedule runs the periodic publishing jobs until ctx ends.
func (s *server) schedule(ctx context.Context) {
	t := time.NewTicker(time.Minute)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			cur := season.Season{ID: s.season}
			if err := s.publisher.Tick(ctx, cur, now); err != nil {
				slog.Warn("season tick", "err", err)
			}
			if now.Minute() == 59 {
				for _, region := range s.cfg.FanOutRegions {
					if err := s.boards.PublishWindow(ctx, s.season, region); err != nil {
						slog.Warn("publish window", "region", region, "err", err)
					}
				}
			}
			if now.Hour() == 0 && now.Minute() == 5 {
				if err := s.boards.PublishDailyStats(ctx); err != nil {
					slog.Warn("daily stats", "err", err)
				}
			}
		}
	}
}

func main() {
	cfg := config.Merge(config.DefaultConfig(), config.FromEnv())
	token, account := os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID")
	rec := kvbase.NewRecorder(time.Second)
	db, err := sql.Open(os.Getenv("LOBBY_DB_DRIVER"), os.Getenv("LOBBY_DB_DSN"))
	if err != nil {
		slog.Error("open db", "err", err)
		os.Exit(1)
	}
	api := cloudflare.NewClient(option.WithAPIToken(token))
	boardsKV := restkv.New(token, account, os.Getenv("KV_LEADERBOARD_NS"), rec)
	bansKV := restkv.New(token, account, os.Getenv("KV_BANS_NS"), rec)
	configKV := restkv.New(token, account, os.Getenv("KV_CONFIG_NS"), rec)
	authKV := restkv.New(token, account, os.Getenv("KV_AUTH_NS"), rec)

	s := &server{
		cfg:       cfg,
		boards:    leaderboard.NewBoardStore(boardsKV, cfg, sqlMatches{db: db}),
		bans:      anticheat.NewBanStore(bansKV, api, account, cfg),
		publisher: &season.Publisher{C: configKV, API: api, Account: account, Tenant: tenant.DefaultTenant},
		auth:      authKV,
		season:    os.Getenv("LOBBY_SEASON"),
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /seasons/{season}/scores", s.submit)
	mux.HandleFunc("POST /seasons/{season}/publish", s.publishSeason)
	mux.HandleFunc("POST /players/{id}/revoke", s.revoke)
	(&anticheat.Handlers{Bans: s.bans, Flags: configKV}).Register(mux)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go s.schedule(ctx)

	srv := &http.Server{Addr: ":8081", Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	slog.Info("lobbyd listening", "addr", srv.Addr)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		slog.Error("serve", "err", err)
		os.Exit(1)
	}
}

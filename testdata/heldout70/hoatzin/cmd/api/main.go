// Command api serves the game's GraphQL API and runs the replicated match
// state.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v5"
	"github.com/cloudflare/cloudflare-go/v5/option"

	"github.com/hoatzin-games/hoatzin/graph"
	"github.com/hoatzin-games/hoatzin/internal/keys"
	"github.com/hoatzin-games/hoatzin/internal/kvstore"
	"github.com/hoatzin-games/hoatzin/internal/leaderboard"
	"github.com/hoatzin-games/hoatzin/internal/lobby"
	"github.com/hoatzin-games/hoatzin/internal/matchmaking"
	"github.com/hoatzin-games/hoatzin/internal/matchstate"
	"github.com/hoatzin-games/hoatzin/internal/player"
	"github.com/hoatzin-games/hoatzin/internal/rewards"
	"github.com/hoatzin-games/hoatzin/internal/social"
)

func newID() string {
	b := make([]byte, 8)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))

	api := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")), option.WithMaxRetries(3))
	ns := kvstore.New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_NAMESPACE_ID"))
	policy := kvstore.NewPolicy()

	fsm := matchstate.NewFSM(matchstate.Mirror{
		API:         api,
		AccountID:   ns.AccountID,
		NamespaceID: ns.ID,
		ProfileTTL:  policy.Profile,
	}, log)
	node, err := matchstate.StartLocal(cmpOr(os.Getenv("NODE_ID"), "api-1"), fsm)
	if err != nil {
		log.Error("raft", "err", err)
		os.Exit(1)
	}

	res := &graph.Resolver{
		KV:   ns,
		Node: node,
		Players: &player.Service{KV: ns, Policy: policy, Node: node, Verify: func(ctx context.Context, name, password string) (string, error) {
			return "", errors.New("accounts service not configured")
		}},
		MM:       &matchmaking.Service{KV: ns, Node: node, Log: log, Policy: policy},
		Rooms:    &lobby.Service{KV: ns, Node: node, Policy: policy},
		Boards:   &leaderboard.Service{KV: ns, Policy: policy},
		Rewards:  &rewards.Service{KV: ns, Now: time.Now},
		Social:   &social.Service{KV: ns, Log: log},
		Log:      log,
		NewLobby: newID,
	}

	mux := http.NewServeMux()
	mux.Handle("POST /graphql", graph.NewHandler(res))
	mux.Handle("GET /graphql", graph.NewHandler(res))
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, r *http.Request) {
		ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
		defer cancel()
		if err := ns.Put(ctx, keys.Static("health:api"), []byte(time.Now().UTC().Format(time.RFC3339)), 0); err != nil { // EXPECT kvhotkey
			http.Error(w, "kv unavailable", http.StatusServiceUnavailable)
			return
		}
		w.WriteHeader(http.StatusNoContent)
	})

	srv := &http.Server{Addr: cmpOr(os.Getenv("ADDR"), ":8080"), Handler: mux, ReadHeaderTimeout: 5 * time.Second}
	go func() {
		if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
			log.Error("listen", "err", err)
			stop()
		}
	}()

	go schedule(ctx, log, res, strings.Split(cmpOr(os.Getenv("REGIONS"), "eu,us,ap"), ","))

	<-ctx.Done()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdownCtx)
	_ = node.Raft.Shutdown().Error()
}

// schedule runs the periodic jobs: one matchmaking page per region every
// few seconds, and the daily reward table and stats once a minute.
func schedule(ctx context.Context, log *slog.Logger, res *graph.Resolver, regions []string) {
	sweep := time.NewTicker(5 * time.Second)
	minute := time.NewTicker(time.Minute)
	defer sweep.Stop()
	defer minute.Stop()
	cursors := make(map[string]string, len(regions))
	for {
		select {
		case <-ctx.Done():
			return
		case <-sweep.C:
			for _, region := range regions {
				next, err := res.MM.SweepPage(ctx, region, cursors[region])
				if err != nil {
					log.Warn("sweep", "region", region, "err", err)
					continue
				}
				cursors[region] = next
			}
		case <-minute.C:
			if err := res.Rewards.PublishCalendar(ctx); err != nil {
				log.Warn("calendar", "err", err)
			}
			if err := res.Rewards.FlushStats(ctx); err != nil {
				log.Warn("stats", "err", err)
			}
		}
	}
}

func cmpOr(v, def string) string {
	if v == "" {
		return def
	}
	return v
}

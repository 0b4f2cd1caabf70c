// Command backend serves the leaderboard API, publishes bans to the edge and
// runs the nightly profile export.
package main

import (
	"bufio"
	"context"
	"database/sql"
	"errors"
	"flag"
	"fmt"
	"log"
	"net/http"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"github.com/killdeer-games/killdeer/internal/banpush"
	"github.com/killdeer-games/killdeer/internal/cfkv"
	"github.com/killdeer-games/killdeer/internal/config"
	"github.com/killdeer-games/killdeer/internal/export"
	"github.com/killdeer-games/killdeer/internal/httpx"
	"github.com/killdeer-games/killdeer/internal/leaderboard"
)

// Set from flags in main.
var (
	stateKV     *cfkv.Store
	bansKV      *cfkv.Store
	profilesKV  *cfkv.Store
	boards      *leaderboard.Service
	publisher   *banpush.Publisher
	publishTick = 5 * time.Minute
	watchFor    = 15 * time.Minute
	season      = "s1"
)

func main() {
	addr := flag.String("addr", ":8080", "listen address")
	account := flag.String("account", os.Getenv("CF_ACCOUNT_ID"), "Cloudflare account id")
	dsn := flag.String("db", os.Getenv("KILLDEER_DB"), "database DSN")
	driver := flag.String("db-driver", "pgx", "database/sql driver name")
	flag.DurationVar(&publishTick, "publish-every", publishTick, "board and ban publish interval")
	flag.DurationVar(&watchFor, "watch-for", watchFor, "watchlist duration")
	flag.StringVar(&season, "season", season, "current season id")
	cfgFile := flag.String("config", "", "JSON config overlay")
	flag.Parse()

	if *cfgFile != "" {
		raw, err := os.ReadFile(*cfgFile)
		if err != nil {
			log.Fatal(err)
		}
		if _, err := config.Reload(raw); err != nil {
			log.Fatal(err)
		}
	}

	client := cloudflare.NewClient(option.WithAPIToken(os.Getenv("CF_API_TOKEN")))
	stateKV = cfkv.New(client, *account, os.Getenv("KV_STATE_ID"))
	bansKV = cfkv.New(client, *account, os.Getenv("KV_BANS_ID"))
	profilesKV = cfkv.New(client, *account, os.Getenv("KV_PROFILES_ID"))

	db, err := sql.Open(*driver, *dsn)
	if err != nil {
		log.Fatal(err)
	}
	boards = leaderboard.New(stateKV, sqlSource{db})
	publisher = &banpush.Publisher{
		Store: bansKV,
		Backends: map[string]banpush.Backend{
			"kv":       banpush.KV{Store: bansKV},
			"sessions": banpush.Sessions{Store: bansKV},
			"audit":    banpush.Log{Prefix: "[anticheat]"},
		},
	}

	mux := http.NewServeMux()
	mux.HandleFunc("POST /v1/scores", httpx.Handle(boards.Submit))
	mux.HandleFunc("POST /v1/profiles/view", httpx.Handle(boards.CountView))
	mux.HandleFunc("POST /v1/profiles/card", httpx.Handle(boards.Card))
	mux.HandleFunc("GET /v1/boards/{season}", httpx.Handle(getBoard))
	mux.HandleFunc("POST /internal/watch", httpx.Handle(watch))
	mux.HandleFunc("POST /internal/export", httpx.Handle(runExport))
	mux.HandleFunc("POST /internal/season/close", httpx.Handle(closeSeason))

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	go scheduler(ctx, db)

	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}
	go func() {
		<-ctx.Done()
		shut, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shut)
	}()
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

type boardReq struct{ Season string }

func (b *boardReq) Bind(r *http.Request) error { b.Season = r.PathValue("season"); return nil }

func getBoard(ctx context.Context, req boardReq) (*leaderboard.Board, error) {
	return boards.Season(ctx, req.Season)
}

type watchReq struct {
	PlayerID string `json:"player_id"`
}

func watch(ctx context.Context, req watchReq) (httpx.Empty, error) {
	return httpx.Empty{}, banpush.Watchlist(ctx, bansKV, req.PlayerID, watchFor)
}

type exportReq struct {
	DryRun bool   `json:"dry_run"`
	Path   string `json:"path"`
}

type exportResp struct {
	Exported int      `json:"exported"`
	Failed   []string `json:"failed"`
}

func runExport(ctx context.Context, req exportReq) (exportResp, error) {
	var n int
	sinks := []export.Sink{export.Discard{N: &n}}
	if !req.DryRun {
		f, err := os.Create(req.Path)
		if err != nil {
			return exportResp{}, err
		}
		defer f.Close()
		ids, err := os.Create(req.Path + ".ids")
		if err != nil {
			return exportResp{}, err
		}
		defer ids.Close()
		sinks = append(sinks, export.JSONLines{W: bufio.NewWriter(f)}, export.IDs{W: ids})
	}
	res, err := export.Nightly(ctx, profilesKV, sinks)
	out := exportResp{Exported: res.Exported}
	for k, e := range res.Failed {
		out.Failed = append(out.Failed, fmt.Sprintf("%s: %v", k, e))
	}
	if err == nil && !req.DryRun {
		err = export.WriteManifest(ctx, stateKV, time.Now().UTC().Format("2006-01-02"), res)
	}
	return out, err
}

type closeReq struct {
	Season string `json:"season"`
}

func closeSeason(ctx context.Context, req closeReq) (httpx.Empty, error) {
	b, err := boards.Season(ctx, req.Season)
	if err != nil {
		return httpx.Empty{}, err
	}
	return httpx.Empty{}, boards.Snapshot(ctx, req.Season, b)
}

// scheduler republishes the current board and pending bans every tick.
func scheduler(ctx context.Context, db *sql.DB) {
	t := time.NewTicker(publishTick)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if err := boards.Publish(ctx, season); err != nil {
			log.Printf("publish %s: %v", season, err)
		}
		bans, err := pendingBans(ctx, db)
		if err != nil {
			log.Printf("pending bans: %v", err)
			continue
		}
		if len(bans) == 0 {
			continue
		}
		for name, err := range publisher.Push(ctx, bans) {
			log.Printf("ban push via %s: %v", name, err)
		}
	}
}

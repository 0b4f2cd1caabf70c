// Command paddockd runs the paddock game-platform API and its scheduled jobs.
//
//	paddockd               serve the API
//	paddockd archive S12   close out season S12
package main

import (
	"cmp"
	"context"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"example.com/paddock/internal/cfkv"
	"example.com/paddock/internal/d1"
	"example.com/paddock/internal/deviceauth"
	"example.com/paddock/internal/httpapi"
	"example.com/paddock/internal/inventory"
	"example.com/paddock/internal/leaderboard"
	"example.com/paddock/internal/legacy/banlist"
	"example.com/paddock/internal/legacy/seasonarchive"
	"example.com/paddock/internal/lobby"
	"example.com/paddock/internal/lockout"
	"example.com/paddock/internal/matchmaking"
	"example.com/paddock/internal/presence"
	"example.com/paddock/internal/profile"
	"example.com/paddock/internal/replays"
	"example.com/paddock/internal/session"
	"example.com/paddock/internal/sms"
	"example.com/paddock/internal/store/cached"
	"example.com/paddock/internal/store/cfstore"

	legacy "github.com/cloudflare/cloudflare-go"
)

func must[T any](v T, err error) T {
	if err != nil {
		log.Fatal(err)
	}
	return v
}

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	cfg := cfkv.FromEnv()
	if len(os.Args) > 2 && os.Args[1] == "archive" {
		api := must(legacy.NewWithAPIToken(cfg.APIToken))
		a := seasonarchive.Archiver{API: api, AccountID: cfg.AccountID,
			BoardsNS: cfg.Namespaces["boards"], ArchiveNS: os.Getenv("PADDOCK_KV_ARCHIVE")}
		res := must(a.Run(ctx, os.Args[2]))
		log.Printf("archived %s: %d participants, %d entries cleared", res.Season, res.Participants, res.Deleted)
		return
	}

	client := cfkv.NewClient(cfg)
	core := cfstore.New(client, cfg.AccountID, cfg.Namespaces["core"])
	auth := cfstore.New(client, cfg.AccountID, cfg.Namespaces["auth"])
	ns := func(name string) cfkv.Namespace { return must(cfkv.Open(client, cfg, name)) }
	db := func(env string) d1.DB {
		return d1.DB{Client: client, AccountID: cfg.AccountID, DatabaseID: os.Getenv(env)}
	}
	accounts := d1.Accounts{DB: db("PADDOCK_D1_ACCOUNTS")}
	ledger := d1.Counters{DB: db("PADDOCK_D1_COUNTERS")}
	results := d1.Results{DB: db("PADDOCK_D1_RESULTS")}

	sessions := session.Manager{Store: auth, Clock: time.Now}
	lobbies := lobby.KVRepo{Store: core}
	publisher := leaderboard.Publisher{Cache: cached.New(core), Store: core, Results: results}
	legacyAPI := must(legacy.NewWithAPIToken(cfg.APIToken))

	srv := &httpapi.Server{
		Store:       core,
		Edge:        ns("core"),
		Sessions:    sessions,
		Guard:       lockout.Guard{Store: auth, IPs: ledger, Clock: time.Now},
		Auth:        accounts,
		Bans:        banlist.List{API: legacyAPI, AccountID: cfg.AccountID, NamespaceID: cfg.Namespaces["auth"], Now: time.Now},
		CreateLobby: lobby.CreateLobby{Lobbies: lobbies, Clock: time.Now},
		JoinLobby:   lobby.JoinLobby{Lobbies: lobbies},
		ReadyCheck:  lobby.StartReadyCheck{Lobbies: lobbies},
		Browse:      lobby.Browse{Lobbies: lobbies},
		QuickJoin:   lobby.QuickJoin{Lobbies: lobbies, Join: lobby.JoinLobby{Lobbies: lobbies}},
		Roster:      &presence.Roster{Store: core},
		Queue:       matchmaking.Queue{NS: ns("matchmaking"), Now: time.Now},
		Former:      matchmaking.Former{NS: ns("matchmaking"), Now: time.Now},
		Device: deviceauth.Service{Store: auth, Sessions: sessions, Clock: time.Now,
			VerificationURI: cmp.Or(os.Getenv("PADDOCK_ACTIVATE_URL"), "https://paddock.gg/activate")},
		SMS: sms.Verifier{NS: ns("auth"), Sender: sms.LogSender{}, Secret: []byte(os.Getenv("PADDOCK_SMS_SECRET")),
			Clock: time.Now},
		Inventory:   inventory.Service{Store: core, MaxStack: 9999},
		Board:       leaderboard.Board{NS: ns("boards")},
		Publisher:   publisher,
		Threads:     replays.Threads{Store: cfstore.New(client, cfg.AccountID, cfg.Namespaces["social"]), Likes: ledger, Clock: time.Now},
		Cards:       replays.Summaries{NS: ns("social")},
		Profiles:    profile.Directory{NS: ns("social"), Accounts: accounts},
		InternalKey: os.Getenv("PADDOCK_INTERNAL_KEY"),
		Clock:       time.Now,
	}

	go schedule(ctx, time.Hour, func(ctx context.Context, now time.Time) error {
		return publisher.Rollover(ctx, now)
	})

	hs := &http.Server{Addr: cmp.Or(os.Getenv("PADDOCK_ADDR"), ":8080"), Handler: srv.Routes(),
		ReadHeaderTimeout: 5 * time.Second}
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = hs.Shutdown(shutdown)
	}()
	log.Printf("paddockd listening on %s", hs.Addr)
	if err := hs.ListenAndServe(); err != nil && err != http.ErrServerClosed {
		log.Fatal(err)
	}
}

// schedule runs job once per tick until ctx ends.
func schedule(ctx context.Context, every time.Duration, job func(context.Context, time.Time) error) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			if err := job(ctx, now); err != nil {
				log.Printf("scheduled job: %v", err)
			}
		}
	}
}

// Command hub runs the sale room's Centrifuge server.
package main

import (
	"context"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/centrifugal/centrifuge"

	"github.com/kakapo-auctions/kakapo/internal/hub"
	"github.com/kakapo-auctions/kakapo/internal/kvstore"
)

func main() {
	addr := flag.String("addr", ":8000", "listen address")
	sessionTTL := flag.Duration("session-ttl", 720*time.Hour, "lifetime of a refreshed session")
	flag.Parse()

	cf := kvstore.NewClient(os.Getenv("CF_API_TOKEN"))
	acct := os.Getenv("CF_ACCOUNT_ID")

	node, err := centrifuge.New(centrifuge.Config{LogLevel: centrifuge.LogLevelInfo})
	if err != nil {
		log.Fatal(err)
	}
	h := hub.New(node,
		kvstore.Open(cf, acct, os.Getenv("KV_LOTS_ID"), "LOTS"),
		kvstore.Open(cf, acct, os.Getenv("KV_SESSIONS_ID"), "SESSIONS"),
		kvstore.Open(cf, acct, os.Getenv("KV_BIDDERS_ID"), "BIDDERS"),
		*sessionTTL,
	)
	h.Setup()
	if err := node.Run(); err != nil {
		log.Fatal(err)
	}

	mux := http.NewServeMux()
	mux.Handle("/connection/websocket", centrifuge.NewWebsocketHandler(node, centrifuge.WebsocketConfig{}))
	srv := &http.Server{Addr: *addr, Handler: mux, ReadHeaderTimeout: 10 * time.Second}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		if err := srv.ListenAndServe(); err != nil && err != http.ErrServerClosed {
			log.Fatal(err)
		}
	}()
	<-ctx.Done()
	shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_ = srv.Shutdown(shutdown)
	_ = node.Shutdown(shutdown)
}

// Command toolserver runs the MCP tool server that agents connect to.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"
	"github.com/mark3labs/mcp-go/server"

	"github.com/birdline/gallinule/internal/auth"
	"github.com/birdline/gallinule/internal/crawl"
	"github.com/birdline/gallinule/internal/kvstore"
	"github.com/birdline/gallinule/internal/mcpserver"
	"github.com/birdline/gallinule/internal/memory"
	"github.com/birdline/gallinule/internal/quota"
	"github.com/birdline/gallinule/internal/rules"
)

func main() {
	addr := flag.String("addr", ":8765", "listen address for streamable HTTP; empty serves stdio")
	idle := flag.Duration("session-idle", 2*time.Hour, "MCP session idle lifetime")
	pageTTL := flag.Duration("page-ttl", 24*time.Hour, "lifetime of cached pages")
	flushEvery := flag.Duration("usage-flush", time.Minute, "how often token usage is written out")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	account := mustEnv("CF_ACCOUNT_ID")
	client := cloudflare.NewClient(option.WithAPIToken(mustEnv("CF_API_TOKEN")), option.WithMaxRetries(3))
	ns := func(env, name string) *kvstore.Namespace {
		return kvstore.Open(client, account, mustEnv(env), name)
	}
	memories := ns("KV_MEMORIES", "memories")
	state := ns("KV_STATE", "state")
	pages := ns("KV_PAGES", "pages")

	engine := &rules.Engine{NS: ns("KV_RULES", "rules"), Data: state}
	meter := &quota.Meter{NS: state}
	meter.Limit = func(ctx context.Context, ws, tool string) int {
		return engine.DailyLimit(ctx, ws, tool, meter.StoredLimit(ctx, ws, tool))
	}

	srv := mcpserver.New(&mcpserver.Server{
		Memories: &memory.Store{NS: memories, Log: log},
		Rules:    engine,
		Quota:    meter,
		Sessions: &auth.Sessions{NS: state, Idle: *idle},
		Crawler:  &crawl.Crawler{Pages: pages, Meta: state, PageTTL: *pageTTL, Log: log, Parallelism: 4},
		Handles:  ns("KV_HANDLES", "handles"),
		Results:  pages,
		Stats:    state,
		Log:      log,
	})

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	go func() {
		t := time.NewTicker(*flushEvery)
		defer t.Stop()
		for {
			select {
			case <-ctx.Done():
				return
			case <-t.C:
				if err := meter.Flush(ctx); err != nil {
					log.Warn("usage flush", "err", err)
				}
			}
		}
	}()

	if *addr == "" {
		if err := server.ServeStdio(srv); err != nil {
			log.Error("stdio", "err", err)
			os.Exit(1)
		}
		return
	}
	httpSrv := server.NewStreamableHTTPServer(srv)
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_ = httpSrv.Shutdown(shutdown)
		_ = meter.Flush(shutdown)
	}()
	log.Info("listening", "addr", *addr)
	if err := httpSrv.Start(*addr); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Error("http", "err", err)
		os.Exit(1)
	}
}

func mustEnv(name string) string {
	v := os.Getenv(name)
	if v == "" {
		slog.Error("missing environment variable", "name", name)
		os.Exit(2)
	}
	return v
}

// Command tamarack-admin manages the festival namespace through the KV REST
// API: imports, exports and on-call fixes.
package main

import (
	"context"
	"errors"
	"flag"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"example.com/tamarack/internal/admin"
	"example.com/tamarack/internal/config"
	"example.com/tamarack/internal/platform/kvrest"
)

func main() {
	ttl := flag.Duration("ttl", time.Hour, "expiry for the set command")
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	cfg, err := config.Load(os.Getenv)
	if cfg.AccountID == "" || cfg.NamespaceID == "" || cfg.APIToken == "" {
		err = errors.Join(err, errors.New("CF_ACCOUNT_ID, CF_KV_NAMESPACE_ID and CF_API_TOKEN are required"))
	}
	if err != nil || flag.NArg() == 0 {
		log.Error("usage: tamarack-admin [-ttl D] COMMAND ARGS...", "err", err)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	api := kvrest.New(cfg.AccountID, cfg.NamespaceID, cfg.APIToken, kvrest.WithLogger(log))
	// On-call shortcuts that bypass the command table.
	direct := map[string]func(*kvrest.Client, context.Context, string, string, time.Duration) error{
		"set": (*kvrest.Client).PutValue,
	}
	name, args := flag.Arg(0), flag.Args()[1:]
	if fn, ok := direct[name]; ok && len(args) == 2 {
		err = fn(api, ctx, args[0], args[1], max(*ttl, time.Minute))
	} else {
		err = admin.New(api, admin.WithInput(os.Stdin), admin.WithOutput(os.Stdout), admin.WithLogger(log)).Run(ctx, name, args)
	}
	if err != nil {
		log.Error("command failed", "cmd", name, "err", err)
		os.Exit(1)
	}
}

// Command meadowctl is the operator's tool for meadow's KV namespace:
//
//	meadowctl export  [-prefix p] [-o file]   dump keys and values as CSV
//	meadowctl import  [-i file]               load a CSV written by export
//	meadowctl gc      -tenants a,b            delete keys of removed tenants
//	meadowctl reindex [-max-pages n]          rebuild the certificate index
//
// It reads CLOUDFLARE_API_TOKEN, CLOUDFLARE_ACCOUNT_ID and MEADOW_KV_NAMESPACE.
package main

import (
	"context"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"

	"example.com/meadow/internal/kvstore"
)

type cli struct {
	api                *cloudflare.Client
	account, namespace string
	stdout             io.Writer
	log                *slog.Logger
}

func main() {
	c := &cli{
		api:       kvstore.NewClient(os.Getenv("CLOUDFLARE_API_TOKEN"), time.Minute),
		account:   os.Getenv("CLOUDFLARE_ACCOUNT_ID"),
		namespace: os.Getenv("MEADOW_KV_NAMESPACE"),
		stdout:    os.Stdout,
		log:       slog.New(slog.NewTextHandler(os.Stderr, nil)),
	}
	if len(os.Args) < 2 || c.account == "" || c.namespace == "" {
		fmt.Fprintln(os.Stderr, "usage: meadowctl export|import|gc|reindex [flags] (with CLOUDFLARE_ACCOUNT_ID and MEADOW_KV_NAMESPACE set)")
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	run := map[string]func(context.Context, []string) error{
		"export": c.export, "import": c.importCSV, "gc": c.gc, "reindex": c.reindex,
	}[os.Args[1]]
	if run == nil {
		fmt.Fprintf(os.Stderr, "meadowctl: unknown command %q\n", os.Args[1])
		os.Exit(2)
	}
	if err := run(ctx, os.Args[2:]); err != nil {
		c.log.Error("meadowctl failed", "cmd", os.Args[1], "err", err)
		os.Exit(1)
	}
}

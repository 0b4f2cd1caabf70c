//go:build !js

// Command towhee-admin is the operators' tool for the KV namespaces:
//
//	towhee-admin purge    -prefix search: [-dry-run]
//	towhee-admin export   -prefix loan: -out loans.jsonl
//	towhee-admin reindex  -prefix item: [-max-pages 20]
//	towhee-admin backfill -slots 9781234567897
//	towhee-admin stats    -prefix session:
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/riverside-libraries/towhee/internal/config"
	"github.com/riverside-libraries/towhee/internal/restkv"
)

type command struct {
	name  string
	usage string
	run   func(ctx context.Context, c *restkv.Client, args []string) error
}

var commands = []command{
	{"purge", "delete every key under a prefix", purge},
	{"export", "write keys and values under a prefix as JSON lines", export},
	{"reindex", "rebuild the title index from cached item records", reindex},
	{"backfill", "pre-create lending slots for a licensed title", backfill},
	{"stats", "count keys under a prefix", stats},
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: towhee-admin <command> [flags]")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-9s %s\n", c.name, c.usage)
	}
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cfg, err := config.Load(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	client := restkv.New(os.Getenv("CF_API_TOKEN"), cfg.AccountID, cfg.NamespaceID)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, 2*time.Hour)
	defer cancel()

	for _, c := range commands {
		if c.name != os.Args[1] {
			continue
		}
		if err := c.run(ctx, client, os.Args[2:]); err != nil {
			log.Fatalf("%s: %v", c.name, err)
		}
		return
	}
	usage()
}

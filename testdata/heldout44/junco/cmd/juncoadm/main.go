//go:build !js

// Command juncoadm is the operators' tool for the Junco KV namespace.
//
//	juncoadm purge    -prefix hold:r12:2024-05-01:
//	juncoadm export   -prefix menu: -out menus.jsonl
//	juncoadm reindex  -restaurant r12
//	juncoadm backfill -in deposits.csv
//	juncoadm stats    -prefix noshow:count:
package main

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"junco/internal/config"
	"junco/internal/restkv"
)

type app struct {
	kv  *restkv.Namespace
	cfg config.Config
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: juncoadm <purge|export|reindex|backfill|stats> [flags]")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cfg, err := config.FromEnv(os.Getenv)
	if err != nil {
		log.Fatal(err)
	}
	a := app{kv: restkv.New(cfg.APIToken, cfg.AccountID, cfg.NamespaceID), cfg: cfg}
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()

	commands := map[string]func(context.Context, []string) error{
		"purge":    a.purge,
		"export":   a.export,
		"reindex":  a.reindex,
		"backfill": a.backfill,
		"stats":    a.stats,
	}
	run, ok := commands[os.Args[1]]
	if !ok {
		usage()
	}
	if err := run(ctx, os.Args[2:]); err != nil {
		log.Fatalf("%s: %v", os.Args[1], err)
	}
}

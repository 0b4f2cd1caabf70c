//go:build !js

// Command catbird-admin is the operators' tool for the forum's KV namespaces.
//
//	catbird-admin purge    -prefix P [-max-pages N] [-dry-run] | -member ID
//	catbird-admin export   -prefix P [-out FILE]
//	catbird-admin reindex  [-since DURATION] [-batch N]
//	catbird-admin backfill -what posts|categories [-ttl DURATION]
//	catbird-admin stats    [-prefixes a,b,c] [-max-pages N]
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log"
	"os"
	"os/signal"
	"strings"

	"catbird/internal/kvrest"
	"catbird/internal/threads"
)

type env struct {
	forum kvrest.Store
	sess  kvrest.Store
	db    *sql.DB
}

func (e env) threads() *threads.Service {
	return threads.New(e.forum, e.db, threads.DefaultConfig)
}

func loadEnv() (env, error) {
	vals := map[string]string{}
	for _, k := range []string{"CF_API_TOKEN", "CF_ACCOUNT_ID", "KV_FORUM_ID", "KV_SESSIONS_ID", "DATABASE_URL"} {
		if vals[k] = os.Getenv(k); vals[k] == "" {
			return env{}, fmt.Errorf("%s is not set", k)
		}
	}
	forum, err := kvrest.New(vals["CF_API_TOKEN"], vals["CF_ACCOUNT_ID"], vals["KV_FORUM_ID"])
	if err != nil {
		return env{}, err
	}
	db, err := sql.Open("pgx", vals["DATABASE_URL"])
	return env{forum: forum, sess: forum.WithNamespace(vals["KV_SESSIONS_ID"]), db: db}, err
}

var commands = map[string]func(context.Context, env, []string) error{
	"purge":    runPurge,
	"export":   runExport,
	"reindex":  runReindex,
	"backfill": runBackfill,
	"stats":    runStats,
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: catbird-admin purge|export|reindex|backfill|stats [flags]")
	os.Exit(2)
}

func main() {
	log.SetFlags(0)
	if len(os.Args) < 2 {
		usage()
	}
	run, ok := commands[os.Args[1]]
	if !ok {
		usage()
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	e, err := loadEnv()
	if err != nil {
		log.Fatalf("catbird-admin: %v", err)
	}
	defer e.db.Close()
	if err := run(ctx, e, os.Args[2:]); err != nil {
		log.Fatalf("catbird-admin %s: %v", os.Args[1], err)
	}
}

func splitList(s string) []string {
	var out []string
	for _, p := range strings.Split(s, ",") {
		if p = strings.TrimSpace(p); p != "" {
			out = append(out, p)
		}
	}
	return out
}

func newFlags(name string) *flag.FlagSet {
	fs := flag.NewFlagSet(name, flag.ContinueOnError)
	fs.SetOutput(os.Stderr)
	return fs
}

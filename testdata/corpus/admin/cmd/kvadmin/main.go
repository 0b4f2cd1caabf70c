// Command kvadmin is the operations toolbox for our Workers KV namespaces.
//
//	kvadmin import   -namespace ID -file data.jsonl [-ttl 1h]
//	kvadmin export   -namespace ID -prefix p -out dump.jsonl
//	kvadmin migrate  copy|rename|upgrade ...
//	kvadmin refresh  -namespace ID -prefix p -extend 6h
//	kvadmin warm     products|prices|upstreams|catalogue
//	kvadmin flags    set|promote|override|segment|retire ...
//	kvadmin maint    on|off|drain|message|schedule|banner
//	kvadmin notes    append|contributor|publish|preview
//	kvadmin config   commit|activate|canary|stage|prune
//	kvadmin lockout  unlock|lock USER
//	kvadmin usage    sync|credit|reset
package main

import (
	"context"
	"database/sql"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"syscall"

	cfv0 "github.com/cloudflare/cloudflare-go"
	cfv4 "github.com/cloudflare/cloudflare-go/v4"
	optv4 "github.com/cloudflare/cloudflare-go/v4/option"
	cfv6 "github.com/cloudflare/cloudflare-go/v6"

	"example.com/admin/internal/config"
	"example.com/admin/internal/edge"
)

// env carries the clients every subcommand may need.
type env struct {
	account string
	token   string
	v0      *cfv0.API
	v4      *cfv4.Client
	v6      *cfv6.Client
	log     *slog.Logger
	dbURL   string
	driver  string
}

func (e *env) db() (*sql.DB, error) {
	if e.dbURL == "" {
		return nil, fmt.Errorf("%s is not set", config.EnvDatabase)
	}
	return sql.Open(e.driver, e.dbURL)
}

type command struct {
	name string
	help string
	run  func(ctx context.Context, e *env, args []string) error
}

var commands = []command{
	{"import", "load JSON lines into a namespace", runImport},
	{"export", "dump a prefix as JSON lines", runExport},
	{"migrate", "copy, rename or upgrade keys", runMigrate},
	{"refresh", "extend the lifetime of cached entries", runRefresh},
	{"warm", "fill the cache namespace", runWarm},
	{"flags", "publish feature flags", runFlags},
	{"maint", "maintenance mode", runMaint},
	{"notes", "release notes", runNotes},
	{"config", "versioned runtime configuration", runConfig},
	{"lockout", "login lockout support tools", runLockout},
	{"usage", "usage and quota jobs", runUsage},
}

func printUsage() {
	fmt.Fprintln(os.Stderr, "usage: kvadmin [-driver NAME] COMMAND [flags]")
	for _, c := range commands {
		fmt.Fprintf(os.Stderr, "  %-8s %s\n", c.name, c.help)
	}
}

func main() {
	driver := flag.String("driver", "pgx", "database/sql driver for Postgres")
	verbose := flag.Bool("v", false, "debug logging")
	flag.Usage = printUsage
	flag.Parse()
	if flag.NArg() == 0 {
		printUsage()
		os.Exit(2)
	}

	level := slog.LevelInfo
	if *verbose {
		level = slog.LevelDebug
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, &slog.HandlerOptions{Level: level}))

	account, token, err := config.Credentials()
	if err != nil {
		log.Error("credentials", "err", err)
		os.Exit(2)
	}
	api, err := cfv0.NewWithAPIToken(token, cfv0.UserAgent("kvadmin"))
	if err != nil {
		log.Error("client", "err", err)
		os.Exit(2)
	}
	e := &env{
		account: account,
		token:   token,
		v0:      api,
		v4:      cfv4.NewClient(optv4.WithAPIToken(token)),
		v6:      edge.NewClient(token),
		log:     log,
		dbURL:   os.Getenv(config.EnvDatabase),
		driver:  *driver,
	}

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	name, args := flag.Arg(0), flag.Args()[1:]
	for _, c := range commands {
		if c.name == name {
			if err := c.run(ctx, e, args); err != nil {
				log.Error(name, "err", err)
				stop()
				os.Exit(1)
			}
			return
		}
	}
	printUsage()
	os.Exit(2)
}

// Command fleetctl is the operators' admin tool for the fleet KV namespaces.
//
//	fleetctl purge    -ns ID -prefix P
//	fleetctl export   -ns ID -prefix P [-max-pages N] [-values]
//	fleetctl reindex  -fleets a,b,c
//	fleetctl backfill slots|lastseen
//	fleetctl stats    [-publish]
package main

import (
	"context"
	"fmt"
	"net/http"
	"os"
	"os/signal"
	"time"

	cf "github.com/cloudflare/cloudflare-go"
	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/option"

	"veery/internal/config"
	"veery/internal/kvstore"
	"veery/internal/registry"
)

type env struct {
	cfg config.Config
	api *cf.API
	rc  *cf.ResourceContainer
	v3  kvstore.V3
	reg *registry.Client
}

func usage() {
	fmt.Fprintln(os.Stderr, "usage: fleetctl purge|export|reindex|backfill|stats [flags]")
	os.Exit(2)
}

func main() {
	if len(os.Args) < 2 {
		usage()
	}
	cfg, err := config.FromEnv()
	if err != nil {
		fatal(err)
	}
	api, err := cf.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		fatal(err)
	}
	e := &env{
		cfg: cfg,
		api: api,
		rc:  cf.AccountIdentifier(cfg.AccountID),
		v3: kvstore.V3{
			Client:    cloudflare.NewClient(option.WithAPIToken(cfg.APIToken)),
			AccountID: cfg.AccountID,
		},
		reg: &registry.Client{BaseURL: cfg.RegistryURL, APIKey: cfg.RegistryAPIKey, HTTP: &http.Client{Timeout: 30 * time.Second}},
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()

	args := os.Args[2:]
	switch os.Args[1] {
	case "purge":
		err = e.purge(ctx, args)
	case "export":
		err = e.export(ctx, args)
	case "reindex":
		err = e.reindex(ctx, args)
	case "backfill":
		err = e.backfill(ctx, args)
	case "stats":
		err = e.stats(ctx, args)
	default:
		usage()
	}
	if err != nil {
		fatal(err)
	}
}

func fatal(err error) {
	fmt.Fprintln(os.Stderr, "fleetctl:", err)
	os.Exit(1)
}

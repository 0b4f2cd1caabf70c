// Command fleet-export writes the nightly device export. It is started by
// the scheduler at 02:00 UTC and can be run by hand with -out.
package main

import (
	"context"
	"flag"
	"log"
	"os"
	"os/signal"
	"time"

	"github.com/cloudflare/cloudflare-go"
	cfv2 "github.com/cloudflare/cloudflare-go/v2"
	"github.com/cloudflare/cloudflare-go/v2/option"

	"bittern/internal/config"
	"bittern/internal/export"
)

func main() {
	cfgPath := flag.String("config", os.Getenv("FLEET_CONFIG"), "configuration file")
	outPath := flag.String("out", "", "write the CSV here instead of stdout")
	prune := flag.Bool("prune", true, "delete archived days past retention")
	flag.Parse()

	cfg, err := config.Load(*cfgPath)
	if err != nil {
		log.Fatal(err)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, cfg.Export.Deadline+15*time.Minute)
	defer cancel()

	api, err := cloudflare.NewWithAPIToken(cfg.Cloudflare.APIToken)
	if err != nil {
		log.Fatal(err)
	}
	cf := cfv2.NewClient(option.WithAPIToken(cfg.Cloudflare.APIToken), option.WithMaxRetries(4))
	ex := export.New(cf, api, cfg.Cloudflare.AccountID, cfg.Namespaces.Default, cfg.Namespaces.Archive, cfg.Export)

	out := os.Stdout
	if *outPath != "" {
		f, err := os.Create(*outPath)
		if err != nil {
			log.Fatal(err)
		}
		defer f.Close()
		out = f
	}
	if err := ex.Run(ctx, out); err != nil {
		log.Fatal(err)
	}
	if *prune {
		if err := ex.Prune(ctx); err != nil {
			log.Fatal(err)
		}
	}
}

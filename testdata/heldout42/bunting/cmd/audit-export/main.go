// Command audit-export exports visit summaries and consent records for a
// compliance audit, and runs the nightly summary sweep.
package main

import (
	"bufio"
	"context"
	"flag"
	"log/slog"
	"os"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"bunting/internal/audit"
	"bunting/internal/kv3"
	"bunting/internal/kvstore"
)

func main() {
	var (
		clinic    = flag.String("clinic", "", "clinic ID")
		mode      = flag.String("mode", "export", "export | consents | sweep | count")
		out       = flag.String("out", "-", "output file")
		retention = flag.Duration("retention", 7*365*24*time.Hour, "sweep summaries older than this")
		pages     = flag.Int("pages", 20, "pages per sweep run")
	)
	flag.Parse()
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))

	api, err := cloudflare.NewWithAPIToken(os.Getenv("CF_API_TOKEN"))
	if err != nil {
		log.Error("client", "err", err)
		os.Exit(1)
	}
	summaries := kvstore.New(api, os.Getenv("CF_ACCOUNT_ID"), os.Getenv("KV_SUMMARIES"))
	kvstore.SetDefault(summaries)
	exp := audit.NewExporter(summaries, log)

	w := bufio.NewWriter(os.Stdout)
	if *out != "-" {
		f, err := os.Create(*out)
		if err != nil {
			log.Error("open", "err", err)
			os.Exit(1)
		}
		defer f.Close()
		w = bufio.NewWriter(f)
	}
	defer w.Flush()

	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Minute)
	defer cancel()
	switch *mode {
	case "export":
		n, err := exp.ExportAll(ctx, *clinic, w)
		log.Info("exported", "summaries", n, "err", err)
		if err == nil {
			err = audit.NewExportQuota().Note(ctx, os.Getenv("AUDITOR_ID"))
		}
	case "consents":
		c := kv3.NewClient(os.Getenv("CF_API_TOKEN"), os.Getenv("CF_ACCOUNT_ID"))
		x := audit.NewConsentExporter(c, kv3.Namespace(os.Getenv("KV_CONSENT")))
		n, err := x.ExportKeys(ctx, w)
		log.Info("exported consents", "keys", n, "err", err)
	case "sweep":
		n, err := exp.Sweep(ctx, *clinic, time.Now().Add(-*retention), *pages)
		log.Info("swept", "deleted", n, "err", err)
	case "count":
		if err := exp.RunExportJob(ctx, *clinic); err != nil {
			log.Error("count", "err", err)
		}
	}
}

// Command nightly runs the cleanup job and the counter rollups once; cron
// starts it at 03:10 UTC.
package main

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"github.com/wheatear/flagsvc/internal/audit"
	"github.com/wheatear/flagsvc/internal/cleanup"
	"github.com/wheatear/flagsvc/internal/evalcount"
	"github.com/wheatear/flagsvc/internal/kvrest"
	"github.com/wheatear/flagsvc/internal/kvstore"
)

func main() {
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	api, err := cloudflare.NewWithAPIToken(os.Getenv("CLOUDFLARE_API_TOKEN"))
	if err != nil {
		log.Error("cloudflare client", "err", err)
		os.Exit(1)
	}
	account := os.Getenv("CLOUDFLARE_ACCOUNT_ID")
	envs := strings.Split(os.Getenv("FLAG_ENVS"), ",")
	flagsKV := kvstore.New(api, account, os.Getenv("FLAGS_KV_NAMESPACE"))
	rec := audit.NewRecorder(kvstore.New(api, account, os.Getenv("AUDIT_KV_NAMESPACE")))
	counter := evalcount.New(&kvrest.Client{
		HTTP:      &http.Client{Timeout: time.Minute},
		Token:     os.Getenv("CLOUDFLARE_API_TOKEN"),
		AccountID: account,
		Namespace: os.Getenv("COUNTERS_KV_NAMESPACE"),
	}, log)

	ctx, cancel := context.WithTimeout(context.Background(), 45*time.Minute)
	defer cancel()
	var id [6]byte
	rand.Read(id[:])
	runID := time.Now().UTC().Format("20060102") + "-" + hex.EncodeToString(id[:])

	rep, err := cleanup.NewJob(flagsKV, rec, log, envs).Run(ctx, runID)
	if err != nil {
		log.Error("cleanup", "run", runID, "err", err)
	} else {
		log.Info("cleanup done", "run", runID, "flags", rep.Flags, "orphans", rep.OrphanHistory+rep.OrphanOverride, "took", rep.Took)
	}

	yesterday := time.Now().UTC().AddDate(0, 0, -1)
	for _, env := range envs {
		n, err := counter.Rollup(ctx, env, yesterday)
		if err != nil {
			log.Error("rollup", "env", env, "err", err)
			continue
		}
		log.Info("rollup", "env", env, "flags", n)
		for i := 0; i < 5; i++ {
			done, err := counter.Prune(ctx, env, yesterday.AddDate(0, 0, -35))
			if err != nil || done {
				break
			}
		}
	}
}

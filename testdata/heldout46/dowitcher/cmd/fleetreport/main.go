// Command fleetreport builds the nightly fleet report. It runs from cron
// once a night.
package main

import (
	"context"
	"encoding/csv"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"dowitcher/internal/config"
	"dowitcher/internal/kvstore"
	"dowitcher/internal/report"
)

func main() {
	cfgPath := flag.String("config", os.Getenv("FLEET_CONFIG"), "path to the JSON config file")
	timeout := flag.Duration("timeout", 45*time.Minute, "give up after this long")
	flag.Parse()

	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	ctx, cancel := context.WithTimeout(ctx, *timeout)
	defer cancel()

	if err := run(ctx, *cfgPath, log); err != nil {
		log.Error("fleetreport", "err", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cfgPath string, log *slog.Logger) (err error) {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	cf, err := cloudflare.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return err
	}
	devices := kvstore.New(cf, cfg.AccountID, cfg.Namespaces.Devices)
	reports := kvstore.New(cf, cfg.AccountID, cfg.Namespaces.Reports)
	authKV := kvstore.New(cf, cfg.AccountID, cfg.Namespaces.Auth)

	marker := "report/running"
	if err := reports.PutTTL(ctx, marker, []byte(time.Now().UTC().Format(time.RFC3339)), 2*time.Hour); err != nil {
		return err
	}
	defer reports.Delete(context.WithoutCancel(ctx), marker)

	fleets, err := fleetList(ctx, reports)
	if err != nil {
		return err
	}
	gen := report.NewGenerator(devices, reports, cfg.ReportPageBudget, log)

	active := fleets[:0]
	for _, f := range fleets {
		ok, err := gen.HasDevices(ctx, f)
		if err != nil {
			return err
		}
		if ok {
			active = append(active, f)
		}
	}

	key, err := gen.Generate(ctx, active)
	if err != nil {
		return err
	}
	log.Info("report written", "key", key, "fleets", len(active))

	expiring, err := gen.ExpiringTokens(ctx, authKV)
	if err != nil {
		return fmt.Errorf("expiring tokens: %w", err)
	}
	var errs []error
	for _, f := range active {
		retired, err := gen.RetiredDevices(ctx, f)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		log.Info("retired devices", "fleet", f, "n", len(retired))
	}
	log.Info("tokens expiring within a day", "n", len(expiring))

	// Drop fleet folders nobody reads any more: everything under
	// "archive/" older than the retention.
	old, err := reports.AllKeys(ctx, "archive/")
	if err != nil {
		return errors.Join(append(errs, err)...)
	}
	var drop []string
	for _, k := range old {
		if archivedBefore(k, time.Now().AddDate(0, -6, 0)) {
			drop = append(drop, k)
		}
	}
	for len(drop) > 0 {
		n := min(len(drop), kvstore.MaxBulk)
		if err := reports.DeleteMany(ctx, drop[:n]); err != nil {
			errs = append(errs, err)
		}
		drop = drop[n:]
	}
	return errors.Join(errs...)
}

// fleetList reads the CSV list of fleet names maintained by the console.
func fleetList(ctx context.Context, reports *kvstore.Store) ([]string, error) {
	raw, found, err := reports.Lookup(ctx, "fleets.csv")
	if err != nil {
		return nil, err
	}
	if !found {
		return nil, errors.New("fleets.csv is missing")
	}
	recs, err := csv.NewReader(strings.NewReader(string(raw))).ReadAll()
	if err != nil {
		return nil, err
	}
	out := make([]string, 0, len(recs))
	for _, r := range recs {
		if len(r) > 0 && r[0] != "" && !strings.HasPrefix(r[0], "#") {
			out = append(out, r[0])
		}
	}
	return out, nil
}

// archivedBefore parses keys of the form archive/<yyyy-mm-dd>/...
func archivedBefore(key string, cutoff time.Time) bool {
	rest, ok := strings.CutPrefix(key, "archive/")
	if !ok {
		return false
	}
	day, _, _ := strings.Cut(rest, "/")
	t, err := time.Parse("2006-01-02", day)
	return err == nil && t.Before(cutoff)
}

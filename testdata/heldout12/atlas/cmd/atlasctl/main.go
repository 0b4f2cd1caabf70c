// Command atlasctl is the operator CLI for atlas.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/signal"
	"strings"
	"time"

	"example.com/atlas/internal/analytics"
	"example.com/atlas/internal/app"
	"example.com/atlas/internal/audit"
	"example.com/atlas/internal/cfkv"
	"example.com/atlas/internal/config"
	"example.com/atlas/internal/legacy/domains"
	"example.com/atlas/internal/legacy/kvv2"
	"example.com/atlas/internal/ops"
	"example.com/atlas/internal/routing"
	"example.com/atlas/internal/storage"
)

const usage = `usage: atlasctl <command> [flags]

commands: purge-assets, sessions, probe, dump, export-routes, export-legacy,
          export-pdf, purge-audit, rebuild-rollup, domain-token
`

func main() {
	if len(os.Args) < 2 {
		fmt.Fprint(os.Stderr, usage)
		os.Exit(2)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := run(ctx, os.Args[1], os.Args[2:], os.Stdout); err != nil {
		fmt.Fprintln(os.Stderr, "atlasctl:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, cmd string, args []string, stdout io.Writer) error {
	fs := flag.NewFlagSet(cmd, flag.ContinueOnError)
	site := fs.String("site", "", "site ID")
	prefix := fs.String("prefix", "", "key prefix")
	cursor := fs.String("cursor", "", "list cursor")
	limit := fs.Int("limit", 50, "page size")
	pages := fs.Int("pages", 10, "maximum pages")
	dryRun := fs.Bool("dry-run", false, "report only")
	list := fs.String("list", "", "comma-separated site IDs or days")
	host := fs.String("host", "", "hostname")
	file := fs.String("file", "", "input file")
	if err := fs.Parse(args); err != nil {
		return err
	}

	cfg, err := config.Load()
	if err != nil {
		return err
	}
	log := slog.New(slog.NewTextHandler(os.Stderr, nil))
	deps, err := app.Build(cfg, nil, log)
	if err != nil {
		return err
	}
	ns := deps.Lookup("namespaces").(cfkv.Namespaces)
	legacy, lerr := kvv2.ProvideLegacy(cfg)
	tk := &ops.Toolkit{
		Content:  ns.Content,
		Sessions: ns.Sessions,
		Store:    deps.Lookup("kv.content").(storage.Store),
		Legacy:   legacy,
		Out:      stdout,
	}
	switch cmd {
	case "export-legacy", "export-pdf", "domain-token":
		if lerr != nil {
			return fmt.Errorf("%s needs the legacy namespace: %w", cmd, lerr)
		}
	}

	switch cmd {
	case "purge-assets":
		if *site == "" {
			return errors.New("-site is required")
		}
		n, err := tk.PurgeAssets(ctx, *site, *dryRun)
		fmt.Fprintf(stdout, "%d assets\n", n)
		return err
	case "sessions":
		return tk.ActiveSessions(ctx, *cursor, *limit)
	case "probe":
		w, r, err := tk.Probe(ctx)
		fmt.Fprintf(stdout, "write %s, read %s\n", w.Round(time.Millisecond), r.Round(time.Millisecond))
		return err
	case "dump":
		return tk.DumpKeys(ctx, *prefix, *pages)
	case "export-routes":
		return app.Must[*routing.Service](deps, "routing").ExportAll(ctx, stdout)
	case "export-legacy":
		_, err := tk.ExportLegacy(ctx, *prefix)
		return err
	case "export-pdf":
		pdf, err := tk.ExportPDF(ctx, *site, func(context.Context, string) ([]byte, error) { return os.ReadFile(*file) })
		if err != nil {
			return err
		}
		_, err = stdout.Write(pdf)
		return err
	case "purge-audit":
		n, err := app.Must[*audit.Logger](deps, "audit").Purge(ctx, splitList(*list), cfg.Storage.ListPageSize)
		fmt.Fprintf(stdout, "%d audit records removed\n", n)
		return err
	case "rebuild-rollup":
		sum, err := app.Must[*analytics.Collector](deps, "analytics").Rebuild(ctx, *site, splitList(*list))
		fmt.Fprintf(stdout, "%s: %d views over %d paths\n", *site, sum.Views, len(sum.Paths))
		return err
	case "domain-token":
		tok, err := domains.New(legacy).VerificationToken(ctx, *host)
		fmt.Fprintln(stdout, tok)
		return err
	}
	return fmt.Errorf("unknown command %q\n%s", cmd, usage)
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

// Command backoffice is the operations service of the bike-share network: the
// maintenance ticket API, data migrations and publishing jobs. It reaches the
// worker's KV namespaces through the Cloudflare API.
package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"strings"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/cloudflare/cloudflare-go/v4/option"

	"example.com/shrike/backend/cfkv"
	"example.com/shrike/backend/maintenance"
	"example.com/shrike/backend/migrate"
	"example.com/shrike/backend/occupancy"
	"example.com/shrike/backend/publish"
	"example.com/shrike/internal/config"
	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/httpx"
	"example.com/shrike/internal/kvop"
	"example.com/shrike/internal/pricing"
	"example.com/shrike/internal/repo"
	"example.com/shrike/internal/tokens"
)

type env struct {
	cfg      config.Backoffice
	log      *slog.Logger
	stations *cfkv.Store
	riders   *cfkv.Store
	sessions *cfkv.Store
	ops      *cfkv.Store
}

func load() (*env, error) {
	cfg := config.DefaultBackoffice()
	if path := os.Getenv("BACKOFFICE_CONFIG"); path != "" {
		f, err := os.Open(path)
		if err != nil {
			return nil, err
		}
		defer f.Close()
		if cfg, err = config.Load(f, cfg); err != nil {
			return nil, err
		}
	}
	cfg.APIToken = cmp.Or(cfg.APIToken, os.Getenv("CLOUDFLARE_API_TOKEN"))
	client := cloudflare.NewClient(option.WithAPIToken(cfg.APIToken), option.WithMaxRetries(4))
	store := func(ns string) *cfkv.Store { return cfkv.New(client, cfg.AccountID, ns) }
	ns := cfg.Namespaces
	return &env{
		cfg: cfg, log: slog.New(slog.NewTextHandler(os.Stderr, nil)),
		stations: store(ns.Stations), riders: store(ns.Riders), sessions: store(ns.Sessions), ops: store(ns.Ops),
	}, nil
}

type command struct {
	help string
	run  func(ctx context.Context, e *env, args []string) error
}

var commands = map[string]command{
	"serve":     {"run the ticket API", serve},
	"migrate":   {"apply pending data migrations", runMigrations},
	"suspend":   {"end the given sessions", suspend},
	"peek":      {"show a few keys under a prefix", peek},
	"occupancy": {"rebuild a region's occupancy map", buildOccupancy},
	"publish-fares": {"publish the fare grid", func(ctx context.Context, e *env, _ []string) error {
		return publish.PublishFareGrid(ctx, e.stations, pricing.Standard())
	}},
	"publish-campaign": {"publish a promo campaign from a JSON file", publishCampaign},
	"seed-partners":    {"write default partner configs", seedPartners},
}

func main() {
	var cmd command
	ok := len(os.Args) > 1
	if ok {
		cmd, ok = commands[os.Args[1]]
	}
	if !ok {
		fmt.Fprintln(os.Stderr, "usage: backoffice <command> [flags]")
		for name, c := range commands {
			fmt.Fprintf(os.Stderr, "  %-18s %s\n", name, c.help)
		}
		os.Exit(2)
	}
	e, err := load()
	if err != nil {
		fmt.Fprintln(os.Stderr, "config:", err)
		os.Exit(1)
	}
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt)
	defer stop()
	if err := cmd.run(ctx, e, os.Args[2:]); err != nil {
		e.log.Error(os.Args[1], "err", err)
		os.Exit(1)
	}
}

func serve(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	listen := fs.String("listen", e.cfg.Listen, "address to listen on")
	if err := fs.Parse(args); err != nil {
		return err
	}
	exec := kvop.Chain(e.ops.Exec(), kvop.Logging(e.log), kvop.Retry(3, 250*time.Millisecond))
	tickets := repo.New[domain.Ticket](exec)
	mux := http.NewServeMux()
	maintenance.New(tickets, e.ops.Docs(), e.ops, e.cfg.TicketSLA.D()).Routes(mux)
	srv := &http.Server{
		Addr:              *listen,
		Handler:           httpx.Chain(mux, httpx.Recover(e.log), httpx.AccessLog(e.log)),
		ReadHeaderTimeout: 5 * time.Second,
	}
	context.AfterFunc(ctx, func() { _ = srv.Shutdown(context.WithoutCancel(ctx)) })
	e.log.Info("listening", "addr", *listen)
	if err := srv.ListenAndServe(); !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

func runMigrations(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	page := fs.Int("page", e.cfg.MigrationPage, "keys per page")
	if err := fs.Parse(args); err != nil {
		return err
	}
	stores := map[string]*cfkv.Store{"stations": e.stations, "riders": e.riders, "ops": e.ops}
	return migrate.Apply(ctx, stores, *page, e.log)
}

// suspend ends sessions reported by the support tool, e.g. for a stolen phone.
func suspend(ctx context.Context, e *env, args []string) error {
	for _, sid := range args {
		if err := e.sessions.Delete(ctx, "session:"+sid); err != nil { // EXPECT kvsession
			return fmt.Errorf("session %s: %w", sid, err)
		}
		e.log.Info("session ended", "session", sid)
	}
	return nil
}

func peek(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("peek", flag.ContinueOnError)
	prefix := fs.String("prefix", "", "key prefix")
	if err := fs.Parse(args); err != nil {
		return err
	}
	s := e.stations
	res, err := s.API.Keys.List(ctx, s.Namespace, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.Account),
		Prefix:    cloudflare.F(*prefix),
		Limit:     cloudflare.F(5.0), // EXPECT kvlimits
	})
	if err != nil {
		return err
	}
	for _, k := range res.Result {
		fmt.Println(k.Name)
	}
	if res.ResultInfo.Cursor != "" {
		fmt.Println("… more; cursor", res.ResultInfo.Cursor)
	}
	return nil
}

func buildOccupancy(ctx context.Context, e *env, args []string) error {
	fs := flag.NewFlagSet("occupancy", flag.ContinueOnError)
	region := fs.String("region", "", "region to rebuild")
	stations := fs.String("stations", "", "comma-separated station ids")
	if err := fs.Parse(args); err != nil {
		return err
	}
	if *region == "" || *stations == "" {
		return errors.New("occupancy: -region and -stations are required")
	}
	return occupancy.New(e.ops, e.log).Build(ctx, *region, strings.Split(*stations, ","))
}

func publishCampaign(ctx context.Context, e *env, args []string) error {
	if len(args) != 1 {
		return errors.New("publish-campaign: expected one JSON file")
	}
	b, err := os.ReadFile(args[0])
	if err != nil {
		return err
	}
	var c publish.Campaign
	if err := json.Unmarshal(b, &c); err != nil {
		return err
	}
	return publish.NewPromos(e.riders).Publish(ctx, c)
}

func seedPartners(ctx context.Context, e *env, _ []string) error {
	eps := make(map[string]tokens.Endpoint, len(e.cfg.Partners))
	for _, p := range e.cfg.Partners {
		eps[p.Name] = tokens.Endpoint{URL: p.TokenURL, ClientID: p.ClientID, ClientSecret: p.ClientSecret}
	}
	return publish.NewPartners(e.ops, eps).SeedConfigs(ctx)
}

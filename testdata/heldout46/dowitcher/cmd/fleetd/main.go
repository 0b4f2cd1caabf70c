// Command fleetd serves the fleet API and runs the telemetry flusher.
package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"os/signal"
	"slices"
	"strconv"
	"syscall"
	"time"

	cloudflare "github.com/cloudflare/cloudflare-go"

	"dowitcher/internal/api"
	"dowitcher/internal/auth"
	"dowitcher/internal/config"
	"dowitcher/internal/device"
	"dowitcher/internal/kvstore"
	"dowitcher/internal/provision"
	"dowitcher/internal/rollout"
	"dowitcher/internal/telemetry"
)

func main() {
	cfgPath := flag.String("config", os.Getenv("FLEET_CONFIG"), "path to the JSON config file")
	flag.Parse()

	log := slog.New(slog.NewJSONHandler(os.Stderr, nil))
	if err := run(*cfgPath, log); err != nil && !errors.Is(err, context.Canceled) {
		log.Error("fleetd", "err", err)
		os.Exit(1)
	}
}

// instance is this process's entry in the instance list the console shows.
type instance struct {
	ID      string    `json:"id"`
	Host    string    `json:"host"`
	Started time.Time `json:"started"`
}

func run(cfgPath string, log *slog.Logger) error {
	cfg, err := config.Load(cfgPath)
	if err != nil {
		return err
	}
	cf, err := cloudflare.NewWithAPIToken(cfg.APIToken)
	if err != nil {
		return err
	}
	ns := cfg.Namespaces
	devices := kvstore.New(cf, cfg.AccountID, ns.Devices)
	authKV := kvstore.New(cf, cfg.AccountID, ns.Auth)
	tele := kvstore.New(cf, cfg.AccountID, ns.Telemetry)
	rolloutKV := kvstore.New(cf, cfg.AccountID, ns.Rollout)
	edge := kvstore.New(cf, cfg.AccountID, ns.Firmware)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()

	registry := device.NewRegistry(devices)
	sink := telemetry.NewSink(tele, log, cfg.FlushEvery)
	h := &api.Handler{
		Devices:   registry,
		Sessions:  auth.NewSessions(authKV, cfg.SessionTTL, cfg.MagicLinkTTL),
		Tokens:    auth.NewTokens(authKV, cfg.TokenTTL),
		Provision: provision.New(devices, cfg),
		Rollouts:  rollout.NewManager(rolloutKV, registry, cfg.LockWindow, log),
		Sink:      sink,
		Edge:      edge,
		Limits:    tele,
		Log:       log,
	}

	if err := publishEdgeSettings(ctx, edge, cfg); err != nil {
		log.Warn("edge settings", "err", err)
	}

	host, _ := os.Hostname()
	self := instance{ID: strconv.FormatInt(time.Now().UnixNano(), 36), Host: host, Started: time.Now().UTC()}
	go func() {
		if err := register(ctx, rolloutKV, self); err != nil {
			log.Warn("register instance", "err", err)
		}
	}()

	go sink.RunWatermark(ctx)
	go statusLoop(ctx, rolloutKV, self, log)

	srv := &http.Server{Addr: cfg.Listen, Handler: h, ReadHeaderTimeout: 10 * time.Second}
	errc := make(chan error, 2)
	go func() { errc <- sink.Run(ctx) }()
	go func() { errc <- srv.ListenAndServe() }()

	select {
	case <-ctx.Done():
	case err := <-errc:
		stop()
		return err
	}
	shutdown, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	return errors.Join(srv.Shutdown(shutdown), <-errc)
}

// register adds this process to the list of running instances.
func register(ctx context.Context, kv *kvstore.Store, self instance) error {
	var list []instance
	raw, found, err := kv.Lookup(ctx, "instances")
	if err != nil {
		return err
	}
	if found {
		if err := json.Unmarshal(raw, &list); err != nil {
			return err
		}
	}
	list = slices.DeleteFunc(list, func(i instance) bool { return i.Host == self.Host })
	list = append(list, self)
	b, err := json.Marshal(list)
	if err != nil {
		return err
	}
	return kv.Put(ctx, "instances", b) // EXPECT kvrace
}

// statusLoop publishes a short status line for this instance every five
// minutes.
func statusLoop(ctx context.Context, kv *kvstore.Store, self instance, log *slog.Logger) {
	t := time.NewTicker(5 * time.Minute)
	defer t.Stop()
	key := kvstore.Join("status", self.ID)
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			line := fmt.Sprintf("%s up=%s", self.Host, now.Sub(self.Started).Round(time.Second))
			if err := kv.PutTTL(ctx, key, []byte(line), 15*time.Minute); err != nil {
				log.Warn("status", "err", err)
			}
		}
	}
}

// publishEdgeSettings writes the settings the edge Worker reads on every
// device request.
func publishEdgeSettings(ctx context.Context, edge *kvstore.Store, cfg *config.Config) error {
	save := func(k string, v []byte, ttl time.Duration) error {
		return edge.PutTTL(ctx, kvstore.Join("edge", k), v, ttl)
	}
	tier := []byte(strconv.Itoa(int(cfg.Tier)))
	interval := []byte(strconv.Itoa(int(cfg.FlushEvery / time.Second)))
	return errors.Join(
		save("tier", tier, 24*time.Hour),
		save("report_interval", interval, cfg.ManifestTTL),
		save("maintenance", []byte("0"), 45*time.Second), // EXPECT kvttl
		save("manifest_ttl", []byte(cfg.ManifestTTL.String()), 24*time.Hour),
	)
}

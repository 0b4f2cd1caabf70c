// Command keysvc serves API keys, usage metering, audit logs and team
// invitations. Providers below are assembled by hand in main, in the
// style of a wire injector.
package main

import (
	"context"
	"errors"
	"flag"
	"log"
	"net/http"
	"os"
	"os/signal"
	"syscall"
	"time"

	"github.com/cloudflare/cloudflare-go"

	"example.com/petrel/internal/apikeys"
	"example.com/petrel/internal/audit"
	"example.com/petrel/internal/conf"
	"example.com/petrel/internal/ident"
	"example.com/petrel/internal/invites"
	"example.com/petrel/internal/keysapi"
	"example.com/petrel/internal/kvstore"
	"example.com/petrel/internal/metering"
	"example.com/petrel/internal/middleware"
	"example.com/petrel/internal/storage"
	"example.com/petrel/internal/svcbase"
	"example.com/petrel/internal/tiered"
)

var (
	_ metering.KV          = (*kvstore.Store)(nil)
	_ audit.KV             = (*kvstore.Store)(nil)
	_ keysapi.KV           = (*kvstore.Store)(nil)
	_ apikeys.LegacyReader = (*kvstore.Store)(nil)
	_ metering.UsageDB     = (*usageClient)(nil)
)

func ProvideConfig(path string) (conf.Config, error) { return conf.Load(path) }

// ProvideStore connects to the namespace through the v0 REST client.
func ProvideStore(cfg conf.Config) (*kvstore.Store, func(), error) {
	hc := &http.Client{Timeout: 30 * time.Second}
	api, err := cloudflare.NewWithAPIToken(cfg.APIToken, cloudflare.HTTPClient(hc), cloudflare.UsingRetryPolicy(3, 1, 8))
	if err != nil {
		return nil, nil, err
	}
	st, err := kvstore.New(api, cfg.AccountID, cfg.NamespaceID,
		kvstore.WithTimeout(5*time.Second),
		kvstore.WithListLimit(2000), // EXPECT kvlimits
	)
	if err != nil {
		return nil, nil, err
	}
	cleanup := func() { hc.CloseIdleConnections() }
	return st, cleanup, nil
}

// ProvideCaches builds the quota and plan caches.
func ProvideCaches(st storage.Store) (*tiered.WriteThrough, *tiered.ReadThrough) {
	quota := tiered.NewWriteThrough(st, tiered.WithTTL(30*time.Second), tiered.WithLocalTTL(2*time.Second))
	plans := tiered.NewReadThrough(st,
		tiered.WithTTL(20*time.Second), // EXPECT kvttl
		tiered.WithEvictHook(func(key string) { log.Printf("plan cache: %s went stale", key) }),
	)
	return quota, plans
}

// ProvideKeys wires the key service with audit on revocation.
func ProvideKeys(st *kvstore.Store, cfg conf.Config, lg *audit.Log) *apikeys.Service {
	return apikeys.New(st,
		apikeys.WithLegacy(st),
		apikeys.WithGrace(cfg.RotationGrace()),
		apikeys.WithRevokeHook(func(ctx context.Context, team ident.TeamID, id ident.KeyID) error {
			return lg.Append(ctx, audit.Event{Team: team, Actor: "system", Action: "key.revoked", Target: string(id)})
		}),
	)
}

// ProvideInvites wires invitations and logs every saved invitation.
func ProvideInvites(st storage.Store, cfg conf.Config) *invites.Service {
	return invites.ProvideService(st, cfg, cfg.InviteDomains, func(ctx context.Context, r svcbase.Record) error {
		log.Printf("invitation stored at %s (%d bytes)", r.Key, len(r.Value))
		return nil
	})
}

func ProvideServer(cfg conf.Config, h *keysapi.Handler, st storage.Store) *http.Server {
	var root http.Handler = h.Routes()
	root = middleware.Touch(st)(root)
	root = middleware.RateLimit(st, cfg.RateLimit())(root)
	root = http.TimeoutHandler(root, cfg.RequestTimeout(), "request timed out")
	root = middleware.Recover(root)
	return &http.Server{Addr: cfg.Listen, Handler: root, ReadHeaderTimeout: 5 * time.Second}
}

func main() {
	configPath := flag.String("config", "keysvc.json", "path to the JSON config file")
	usageURL := flag.String("usage-db", "http://usage-db.internal:8081", "usage database gateway")
	flag.Parse()

	cfg, err := ProvideConfig(*configPath)
	if err != nil {
		log.Fatal(err)
	}
	st, cleanup, err := ProvideStore(cfg)
	if err != nil {
		log.Fatal(err)
	}
	defer cleanup()

	quota, plans := ProvideCaches(st)
	lg := audit.ProvideLog(st)
	meter := metering.ProvideMeter(st, st, newUsageClient(*usageURL), quota, plans)
	keys := ProvideKeys(st, cfg, lg)
	inv := ProvideInvites(st, cfg)
	h := keysapi.ProvideHandler(keys, meter, lg, inv, st)
	srv := ProvideServer(cfg, h, st)

	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		_ = srv.Shutdown(shutdown)
	}()
	log.Printf("keysvc listening on %s", cfg.Listen)
	if err := srv.ListenAndServe(); err != nil && !errors.Is(err, http.ErrServerClosed) {
		log.Fatal(err)
	}
}

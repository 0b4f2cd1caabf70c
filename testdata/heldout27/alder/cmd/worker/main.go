//go:build js && wasm

// Command worker is the Cloudflare Worker: member portal, lobby screens, door
// keypads, the scheduled jobs and the door-event queue consumer.
package main

import (
	_ "embed"
	"errors"
	"log"
	"strings"
	"sync/atomic"
	"time"

	"github.com/syumai/workers"
	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"

	"example.com/alder/internal/config"
	"example.com/alder/internal/domain"
	"example.com/alder/internal/edge/httpapi"
	"example.com/alder/internal/edge/jobs"
	"example.com/alder/internal/edge/kvstore"
	"example.com/alder/internal/service/access"
	"example.com/alder/internal/service/bookings"
	"example.com/alder/internal/service/occupancy"
	"example.com/alder/internal/service/passes"
	"example.com/alder/internal/service/sessions"
	"example.com/alder/internal/service/visitors"
	"example.com/alder/internal/storage"
)

//go:embed alder.json
var defaultConfig string

var (
	_ storage.Store  = (*kvstore.Store)(nil)
	_ httpapi.Mailer = (*mailer)(nil)
	_ jobs.Notifier  = (*mailer)(nil)
)

// lookupEnv reads Worker variables; unset ones come back as "undefined".
func lookupEnv(key string) (string, bool) {
	v := cloudflare.Getenv(key)
	if v == "" || v == "undefined" {
		return "", false
	}
	return v, true
}

// ProvideConfig decodes the bundled configuration with variable overrides.
func ProvideConfig() (config.Config, error) {
	return config.Load(strings.NewReader(defaultConfig), lookupEnv)
}

// ProvideStore returns the main KV store with a small in-isolate cache.
func ProvideStore(cfg config.Config) (*kvstore.Store, func(), error) {
	if cfg.Binding == "" {
		return nil, nil, errors.New("worker: kv_binding is not configured")
	}
	var evictions atomic.Int64
	st := kvstore.New(cfg.Binding,
		kvstore.WithCacheTTL(5*time.Minute),
		kvstore.WithLocalCache(20*time.Second),
		kvstore.WithEvictHook(func(string) { evictions.Add(1) }),
	)
	cleanup := func() { log.Printf("worker: %d local cache evictions", evictions.Load()) }
	return st, cleanup, nil
}

// ProvideFeedStore returns the store for the lobby's live feed, whose entries
// are only interesting for a short while.
func ProvideFeedStore(cfg config.Config) *kvstore.Store {
	return kvstore.New(cfg.Binding,
		kvstore.WithTTL(20*time.Second), // EXPECT kvttl
	)
}

// ProvideVisitors builds the visitor service from configuration.
func ProvideVisitors(st storage.Store, cfg config.Config) *visitors.Service {
	return visitors.NewService(st,
		visitors.WithQuota(cfg.GuestQuota()),
		visitors.WithGrace(cfg.InvitationGrace()),
		visitors.WithPageSize(5000), // EXPECT kvlimits
	)
}

// ProvideOccupancy builds the occupancy service with the seat counts.
func ProvideOccupancy(st storage.Store, cfg config.Config) *occupancy.Service {
	capacity := map[domain.SiteID]int{"ber-mitte": 120, "ber-kreuzberg": 64, "lis-alfama": 48}
	return occupancy.ProvideService(st, cfg, capacity)
}

// ProvideAccess builds the access service; door openings feed occupancy.
func ProvideAccess(st storage.Store, occ *occupancy.Service) *access.Service {
	return access.NewService(st,
		access.WithLockout(15*time.Minute, 5),
		access.WithGrantHook(occ.OnGranted),
	)
}

// ProvideMailer returns the mail API client.
func ProvideMailer(cfg config.Config) *mailer {
	endpoint, _ := lookupEnv("MAIL_API_URL")
	token, _ := lookupEnv("MAIL_API_TOKEN")
	return &mailer{endpoint: endpoint, token: token}
}

func main() {
	cfg, err := ProvideConfig()
	if err != nil {
		log.Fatalf("worker: %v", err)
	}
	st, cleanup, err := ProvideStore(cfg)
	if err != nil {
		log.Fatalf("worker: %v", err)
	}
	defer cleanup()
	feed := ProvideFeedStore(cfg)
	mail := ProvideMailer(cfg)
	occ := ProvideOccupancy(st, cfg)
	vis := ProvideVisitors(st, cfg)

	srv := httpapi.ProvideServer(cfg, st,
		sessions.ProvideService(st, cfg),
		bookings.NewService(st, bookings.WithLocation(cfg.Location())),
		ProvideAccess(st, occ),
		passes.ProvideService(st, cfg.Location()),
		vis, occ, mail,
	)
	runner := jobs.ProvideRunner(cfg, st, feed, occ, vis, mail)

	cron.ScheduleTaskNonBlock(runner.Scheduled)
	queues.ConsumeNonBlock(runner.Consume)
	workers.Serve(srv.Handler())
}

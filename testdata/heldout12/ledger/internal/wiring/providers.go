//go:build js && wasm

// Package wiring constructs the worker's object graph. Each ProvideX takes
// what it needs and returns a ready value; Build calls them in order and
// registers the results.
package wiring

import (
	"fmt"
	"log/slog"
	"os"
	"syscall/js"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/ledger/internal/audit"
	"example.com/ledger/internal/config"
	"example.com/ledger/internal/deps"
	"example.com/ledger/internal/edgecache"
	"example.com/ledger/internal/ledger/giftcard"
	"example.com/ledger/internal/ledger/points"
	"example.com/ledger/internal/queueconsumer"
	"example.com/ledger/internal/session"
	"example.com/ledger/internal/shops"
	"example.com/ledger/internal/storage"
	"example.com/ledger/internal/storage/kvstore"
)

// getenv reads a [vars] entry, mapping unset to "".
func getenv(name string) string {
	if v := cloudflare.GetBinding(name); v.Type() == js.TypeString {
		return v.String()
	}
	return ""
}

// ProvideConfig loads configuration from the worker environment.
func ProvideConfig() (config.Config, error) { return config.Load(getenv) }

// ProvideLedgerStore opens the ledger namespace.
func ProvideLedgerStore(cfg config.Config) (storage.Store, error) {
	return kvstore.Open(cfg.Storage.Bindings.Ledger)
}

// ProvideSessionStore opens the sessions namespace.
func ProvideSessionStore(cfg config.Config) (storage.Store, error) {
	return kvstore.Open(cfg.Storage.Bindings.Sessions)
}

// ProvideCache opens the edge cache namespace.
func ProvideCache(cfg config.Config, log *slog.Logger) (*edgecache.Cache, error) {
	c, err := edgecache.New(string(cfg.Storage.Bindings.Cache), cfg.Storage.Cache.DefaultTTL, cfg.Storage.Cache.EdgeSeconds)
	if err != nil {
		return nil, err
	}
	c.OnError = func(key string, err error) { log.Warn("cache write", "key", key, "err", err) }
	return c, nil
}

// Build wires everything and returns the filled registry.
func Build() (*deps.Registry, error) {
	cfg, err := ProvideConfig()
	if err != nil {
		return nil, fmt.Errorf("config: %w", err)
	}
	log := slog.New(slog.NewJSONHandler(os.Stderr, nil)).With("env", cfg.Env)
	ledger, err := ProvideLedgerStore(cfg)
	if err != nil {
		return nil, err
	}
	sess, err := ProvideSessionStore(cfg)
	if err != nil {
		return nil, err
	}
	cache, err := ProvideCache(cfg, log)
	if err != nil {
		return nil, err
	}
	pts := points.New(ledger, cfg.Points)
	cards := giftcard.New(ledger, cfg.Cards)

	reg := deps.New()
	reg.Provide(deps.Config, cfg)
	reg.Provide(deps.Logger, log)
	reg.Provide(deps.Ledger, ledger)
	reg.Provide(deps.Sessions, sess)
	reg.Provide(deps.Cache, cache)
	reg.Provide(deps.Points, pts)
	reg.Provide(deps.Cards, cards)
	reg.Provide(deps.Shops, shops.NewDirectory(ledger))
	reg.Provide(deps.Staff, session.NewManager(sess, cfg.Storage.Sessions))
	reg.Provide(deps.Audit, audit.NewRecorder(ledger, 90*24*time.Hour))
	reg.Provide(deps.Trail, audit.NewTrail(ledger, 16<<10))
	reg.Provide(deps.Consumer, queueconsumer.New(ledger, pts, cards, cfg.Queue, cfg.Storage.Receipts.TTL, log))
	return reg, nil
}

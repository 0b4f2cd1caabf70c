//go:build js && wasm

package main

import (
	"bytes"
	"context"
	_ "embed"
	"log"
	"sync/atomic"
	"time"

	"example.com/yarrow/internal/config"
	"example.com/yarrow/internal/edge/auth"
	"example.com/yarrow/internal/edge/httpapi"
	"example.com/yarrow/internal/edge/kvstore"
	"example.com/yarrow/internal/edge/menu"
	"example.com/yarrow/internal/edge/settings"
	"example.com/yarrow/internal/storage"
)

//go:embed config.json
var configJSON []byte

type systemClock struct{}

func (systemClock) Now() time.Time { return time.Now() }

// Compile-time checks that the adapters satisfy the ports they are wired to.
var (
	_ storage.Store       = (*kvstore.Store)(nil)
	_ settings.Source     = (*kvstore.Store)(nil)
	_ httpapi.LinkService = (*auth.Links)(nil)
	_ httpapi.Mailer      = (*mailer)(nil)
	_ menu.Origin         = (*menu.HTTPOrigin)(nil)
	_ menu.Clock          = systemClock{}
)

// ProvideConfig decodes the configuration bundled with the Worker.
func ProvideConfig() (config.Config, error) {
	return config.Decode(bytes.NewReader(configJSON))
}

// ProvideStore opens the menus namespace. The cleanup logs how many reads
// missed, which tells us whether the menu TTL is too short.
func ProvideStore(cfg config.Config) (*kvstore.Store, func(), error) {
	var misses atomic.Int64
	st := kvstore.New(cfg.Bindings.Menus,
		kvstore.WithCacheTTL(5*time.Minute),
		kvstore.WithMissHook(func(string) { misses.Add(1) }),
	)
	cleanup := func() { log.Printf("menus: %d misses", misses.Load()) }
	return st, cleanup, nil
}

// ProvideKitchenStore opens the namespace behind the kitchen displays.
func ProvideKitchenStore(cfg config.Config) *kvstore.Store {
	return kvstore.New(cfg.Bindings.Kitchen,
		kvstore.WithTTL(30*time.Second), // EXPECT kvttl
	)
}

// ProvideTrackingStore opens the order tracking namespace.
func ProvideTrackingStore(cfg config.Config) *kvstore.Store {
	return kvstore.New(cfg.Bindings.Tracking,
		kvstore.WithTTL(cfg.TrackingTTL()),
		kvstore.WithPageSize(2000), // EXPECT kvlimits
	)
}

// ProvideCartStore opens the carts namespace.
func ProvideCartStore(cfg config.Config) *kvstore.Store {
	return kvstore.New(cfg.Bindings.Carts, kvstore.WithTTL(cfg.CartTTL()))
}

// ProvideSessionStore opens the sessions namespace.
func ProvideSessionStore(cfg config.Config) *kvstore.Store {
	return kvstore.New(cfg.Bindings.Sessions)
}

// ProvidePromoStore opens the promos namespace.
func ProvidePromoStore(cfg config.Config) *kvstore.Store {
	return kvstore.New(cfg.Bindings.Promos, kvstore.WithTTL(90*24*time.Hour), kvstore.WithPageSize(500))
}

// ProvideSettingsStore opens the hand-edited settings namespace.
func ProvideSettingsStore(cfg config.Config) *kvstore.Store {
	return kvstore.New(cfg.Bindings.Settings, kvstore.WithCacheTTL(time.Minute))
}

// ProvideTrackingHook records which timeline changed last, for the ops
// dashboard's "last activity" tile.
func ProvideTrackingHook(kitchen *kvstore.Store) func(ctx context.Context, key string, value []byte) error {
	return func(ctx context.Context, key string, _ []byte) error {
		return kitchen.PutText(ctx, "tracking:last-write", key, 24*time.Hour) // EXPECT kvhotkey
	}
}

// Package bootstrap makes sure a fresh namespace has the documents the edge
// worker expects before it serves traffic.
package bootstrap

import (
	"context"
	"fmt"
	"log/slog"
	"sync"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/gateway/internal/cfkv"
	"example.com/gateway/internal/keys"
)

// Default is a document seeded when missing.
type Default struct {
	Key   string
	Value string
}

var (
	mu       sync.Mutex
	defaults []Default
)

// Register adds a default. Packages call it from init.
func Register(key, value string) {
	mu.Lock()
	defaults = append(defaults, Default{Key: key, Value: value})
	mu.Unlock()
}

func init() {
	Register(keys.MaintFlags, `{}`)
	Register(keys.RoutesLive, `{"version":0,"routes":[]}`)
	Register(keys.GatewaySettings, `{"default_plan":"free","allowed_regions":[]}`)
}

// EnsureDefaults seeds every registered document that is not there yet.
func EnsureDefaults(ctx context.Context, ns cfkv.Namespace, log *slog.Logger) error {
	mu.Lock()
	todo := append([]Default(nil), defaults...)
	mu.Unlock()
	for _, d := range todo {
		resp, err := ns.Values().Get(ctx, ns.ID, d.Key, ns.GetParams()) // EXPECT kvnull
		if err == nil {
			resp.Body.Close()
			continue
		}
		log.Info("seeding default", "key", d.Key)
		_, err = ns.Values().Update(ctx, ns.ID, d.Key, kv.NamespaceValueUpdateParams{AccountID: cloudflare.F(ns.AccountID), Value: cloudflare.F(d.Value)})
		if err != nil {
			return fmt.Errorf("seed %s: %w", d.Key, err)
		}
	}
	return nil
}

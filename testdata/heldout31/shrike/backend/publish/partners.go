// Package publish pushes back-office data to the edge: partner API tokens,
// promo campaigns and the precomputed fare grid.
package publish

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"

	"example.com/shrike/backend/cfkv"
	"example.com/shrike/internal/ports"
	"example.com/shrike/internal/tokens"
)

// Partners caches client-credential tokens of transit partners so every
// worker can call their APIs.
type Partners struct {
	store     *cfkv.Store
	endpoints map[string]tokens.Endpoint
}

func NewPartners(store *cfkv.Store, endpoints map[string]tokens.Endpoint) *Partners {
	return &Partners{store: store, endpoints: endpoints}
}

// Token returns a cached access token for partner, fetching a new one if needed.
func (p *Partners) Token(ctx context.Context, partner string) (string, error) {
	key := "partner-token:" + partner
	b, err := p.store.Get(ctx, key)
	if err == nil {
		return string(b), nil
	}
	if !errors.Is(err, ports.ErrNotFound) {
		return "", err
	}
	ep, ok := p.endpoints[partner]
	if !ok {
		return "", fmt.Errorf("unknown partner %q", partner)
	}
	tok, err := ep.ClientCredentials(ctx, "realtime")
	if err != nil {
		return "", err
	}
	// Drop the cached copy half a minute before the partner expires it.
	ttl := max(tok.Lifetime()-30*time.Second, 10*time.Second) // EXPECT kvttl
	if err := p.store.Put(ctx, key, []byte(tok.AccessToken), ttl); err != nil {
		return "", err
	}
	return tok.AccessToken, nil
}

type PartnerConfig struct {
	Enabled      bool     `json:"enabled"`
	Stations     []string `json:"stations"`
	TransferMins int      `json:"transfer_minutes"`
}

// SeedConfigs writes a default config for partners that have none.
func (p *Partners) SeedConfigs(ctx context.Context) error {
	s := p.store
	for name := range p.endpoints {
		key := "partner:" + name + ":config"
		if _, err := s.API.Values.Get(ctx, s.Namespace, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.Account)}); err == nil { // EXPECT kvnull
			continue
		}
		def, _ := json.Marshal(PartnerConfig{Enabled: false, TransferMins: 30})
		if _, err := s.API.Values.Update(ctx, s.Namespace, key, kv.NamespaceValueUpdateParams{
			AccountID: cloudflare.F(s.Account),
			Value:     cloudflare.F(string(def)),
		}); err != nil {
			return err
		}
	}
	return nil
}

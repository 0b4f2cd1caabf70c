package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type holdsConfig struct {
	Name string
	TTL  time.Duration
}

type appConfig struct {
	Region string
	Holds  holdsConfig
}

// holdsDefaults are the production settings, in a nested literal.
func holdsDefaults() appConfig {
	return appConfig{
		Region: "eu",
		Holds: holdsConfig{
			Name: "holds",
			TTL:  45 * time.Second, // want `ExpirationTTL 45 .* is below KV's 60-second minimum`
		},
	}
}

// withDefaults fills the fields that are not set: a default, not a clamp.
func (c appConfig) withDefaults(d appConfig) appConfig {
	if c.Holds.TTL == 0 {
		c.Holds.TTL = d.Holds.TTL
	}
	if c.Holds.Name == "" {
		c.Holds.Name = d.Holds.Name
	}
	return c
}

type holds struct {
	client *cloudflare.Client
	cfg    holdsConfig
}

func newHolds(client *cloudflare.Client, c appConfig) *holds {
	return &holds{client: client, cfg: c.withDefaults(holdsDefaults()).Holds}
}

func (h *holds) hold(ctx context.Context, seat string) error {
	_, err := h.client.KV.Namespaces.Values.Update(ctx, "ns", h.cfg.Name+":"+seat, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("held")),
		ExpirationTTL: cloudflare.F(h.cfg.TTL.Seconds()),
	})
	return err
}

// span wraps a duration for its JSON form; every setting of the type
// shares its one field.
type span struct{ time.Duration }

type cacheSettings struct {
	LocalTTL span // an in-memory cache's, never sent to KV
	HoldTTL  span
}

// Quiet: a table of defaults filled into unset settings, where only
// HoldTTL reaches a put.
func (c *cacheSettings) fill() {
	for _, d := range []struct {
		p *span
		v time.Duration
	}{
		{&c.LocalTTL, 20 * time.Second},
		{&c.HoldTTL, time.Hour},
	} {
		if d.p.Duration == 0 {
			d.p.Duration = d.v
		}
	}
}

func (h *holds) holdFor(ctx context.Context, c *cacheSettings, seat string) error {
	_, err := h.client.KV.Namespaces.Values.Update(ctx, "ns", "seat:"+seat, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("held")),
		ExpirationTTL: cloudflare.F(c.HoldTTL.Seconds()),
	})
	return err
}

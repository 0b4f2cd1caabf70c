package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// A registry that keeps a probe result until the next probes are due.
type probeRegistry struct {
	client  *cloudflare.Client
	account string
	ns      string
	every   time.Duration
}

func newProbeRegistry(c *cloudflare.Client, account, ns string, every time.Duration) *probeRegistry {
	return &probeRegistry{client: c, account: account, ns: ns, every: every}
}

// The clamp's own floor, 10 s, is the mistake, reported once at the
// clamp: not again where 15 s (twice 15 s is 30 s) is given.
func (r *probeRegistry) recordHealth(ctx context.Context, id, status string) error {
	ttl := max(2*r.every, 10*time.Second) // want `ExpirationTTL can be as low as 10s`
	_, err := r.client.KV.Namespaces.Values.Update(ctx, r.ns, "health:"+id, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(r.account),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(status)),
		ExpirationTTL: cloudflare.F(ttl.Seconds()),
	})
	return err
}

func startProbes(c *cloudflare.Client) *probeRegistry {
	return newProbeRegistry(c, "acct", "health", 15*time.Second)
}

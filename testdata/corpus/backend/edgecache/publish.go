// Package edgecache pushes pre-rendered fragments to KV for the edge.
package edgecache

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// fragmentTTL is how long a fragment is served before the edge refetches it.
const fragmentTTL = 10 * time.Minute

// Publisher writes fragments.
type Publisher struct {
	Client    *cloudflare.Client
	AccountID string
	NSID      string
}

func (p *Publisher) value(s string) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(p.AccountID),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(s)),
	}
}

// Fragment publishes a fragment with the standard TTL.
func (p *Publisher) Fragment(ctx context.Context, name, html string) error {
	params := p.value(html)
	params.ExpirationTTL = cloudflare.F(fragmentTTL.Seconds())
	_, err := p.Client.KV.Namespaces.Values.Update(ctx, p.NSID, "fragment:"+name, params)
	return err
}

// LiveScore publishes the live score widget; it changes every few seconds.
func (p *Publisher) LiveScore(ctx context.Context, match, html string) error {
	_, err := p.Client.KV.Namespaces.Values.Update(ctx, p.NSID, "live:"+match, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(p.AccountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(html)),
		ExpirationTTL: cloudflare.F(30.0), // EXPECT kvttl
	})
	return err
}

// Announcement publishes a banner that disappears after a week.
func (p *Publisher) Announcement(ctx context.Context, id, html string) error {
	now := time.Now()
	params := p.value(html)
	params.Expiration = cloudflare.F(float64(now.Add(7 * 24 * time.Hour).UnixMilli())) // EXPECT kvttl
	_, err := p.Client.KV.Namespaces.Values.Update(ctx, p.NSID, "announcement:"+id, params)
	return err
}

// Notice publishes a notice that disappears after a day.
func (p *Publisher) Notice(ctx context.Context, id, html string) error {
	params := p.value(html)
	params.Expiration = cloudflare.F(float64(time.Now().Add(24 * time.Hour).Unix()))
	_, err := p.Client.KV.Namespaces.Values.Update(ctx, p.NSID, "notice:"+id, params)
	return err
}

// Heartbeat is written every minute by the health checker.
func (p *Publisher) Heartbeat(ctx context.Context, host string) error {
	params := p.value(time.Now().UTC().Format(time.RFC3339))
	params.ExpirationTTL = cloudflare.F(float64(60))
	_, err := p.Client.KV.Namespaces.Values.Update(ctx, p.NSID, "heartbeat:"+host, params)
	return err
}

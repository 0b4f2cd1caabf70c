// Package keptparams builds each put's parameters in a loop, keeps them in
// a map by key, and sends them in a later loop: the lifetime set on each
// is still the lifetime sent.
package keptparams

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

const retention = 30 * 24 * time.Hour

// Client writes reports to one namespace.
type Client struct {
	api     *cloudflare.Client
	account string
	ns      string
}

func (c *Client) valueParams(val string) kv.NamespaceValueUpdateParams {
	return kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(c.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(val)),
	}
}

func (c *Client) put(ctx context.Context, key string, p kv.NamespaceValueUpdateParams) error {
	_, err := c.api.KV.Namespaces.Values.Update(ctx, c.ns, key, p)
	return err
}

// Report is one scooter's day.
type Report struct {
	Scooter string
	Rides   int
}

// Export keeps a lifetime in nanoseconds on each report's parameters.
func (c *Client) Export(ctx context.Context, day string, reports []Report) error {
	pending := make(map[string]kv.NamespaceValueUpdateParams, len(reports))
	for _, r := range reports {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		p := c.valueParams(string(b))
		p.ExpirationTTL = cloudflare.F(float64(retention)) // want `ExpirationTTL is a lifetime in seconds`
		pending["report:"+day+":"+r.Scooter] = p
	}
	for key, p := range pending {
		if err := c.put(ctx, key, p); err != nil {
			return err
		}
	}
	return nil
}

// ExportSeconds keeps the lifetime in seconds: quiet.
func (c *Client) ExportSeconds(ctx context.Context, day string, reports []Report) error {
	pending := make(map[string]kv.NamespaceValueUpdateParams, len(reports))
	for _, r := range reports {
		b, err := json.Marshal(r)
		if err != nil {
			return err
		}
		p := c.valueParams(string(b))
		p.ExpirationTTL = cloudflare.F(retention.Seconds())
		pending["report:"+day+":"+r.Scooter] = p
	}
	for key, p := range pending {
		if err := c.put(ctx, key, p); err != nil {
			return err
		}
	}
	return nil
}

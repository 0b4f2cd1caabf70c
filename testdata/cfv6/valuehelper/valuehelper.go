// Package valuehelper writes through one helper that builds every put's
// parameters from the text it is given: each caller's value is its own
// argument, not any argument any caller gives.
package valuehelper

import (
	"context"
	"io"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Client writes to one namespace.
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

// AddRides adds n to the running total it reads.
func (c *Client) AddRides(ctx context.Context, n int) error {
	prev := 0
	res, err := c.api.KV.Namespaces.Values.Get(ctx, c.ns, "stats:rides-total", kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
	if err == nil {
		defer res.Body.Close()
		b, err := io.ReadAll(res.Body)
		if err != nil {
			return err
		}
		prev, _ = strconv.Atoi(string(b))
	}
	return c.put(ctx, "stats:rides-total", c.valueParams(strconv.Itoa(prev+n))) // want `counter kept in KV: this put writes back a count read from the same key`
}

// SetRiderLimit stores a configured limit: no arithmetic, though the
// helper it calls is also given a sum elsewhere.
func (c *Client) SetRiderLimit(ctx context.Context, rider string, limit int) error {
	return c.put(ctx, "rider-limit:"+rider, c.valueParams(strconv.Itoa(limit)))
}

package kvrace

import (
	"context"
	"errors"
	"io"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

var errBusy = errors.New("another controller holds the rollout")

// controller writes through the bulk endpoint, one pair per call.
type controller struct {
	client  *cloudflare.Client
	account string
	ns      string
	id      string
}

func (c *controller) write(ctx context.Context, body ...kv.NamespaceBulkUpdateParamsBody) error {
	_, err := c.client.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{
		AccountID: cloudflare.F(c.account),
		Body:      body,
	})
	return err
}

func (c *controller) holder(ctx context.Context, key string) (string, error) {
	res, err := c.client.KV.Namespaces.Values.Get(ctx, c.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(c.account)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return string(b), err
}

// A lease that lets its own holder through and refuses another's, then
// writes this controller's id as a one-pair bulk write: two controllers
// can both find it free.
func (c *controller) take(ctx context.Context, rollout string) error {
	key := "lease/" + rollout
	held, err := c.holder(ctx, key)
	if err == nil && held != c.id {
		return errBusy
	}
	return c.write(ctx, kv.NamespaceBulkUpdateParamsBody{ // want `check-then-create on one KV key`
		Key:           cloudflare.F(key),
		Value:         cloudflare.F(c.id),
		ExpirationTTL: cloudflare.F(300.0),
	})
}

// Quiet: the holder is read to be shown, and the write is of another key.
func (c *controller) handOver(ctx context.Context, rollout, to string) (string, error) {
	held, err := c.holder(ctx, "lease/"+rollout)
	if err != nil {
		return "", err
	}
	return held, c.write(ctx, kv.NamespaceBulkUpdateParamsBody{
		Key:   cloudflare.F("handover/" + rollout),
		Value: cloudflare.F(to),
	})
}

package kvlimits

import (
	"context"
	"fmt"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

type stat struct {
	Campaign string
	Views    int
}

// Quiet: a batch turned away above the limit is sent only within it.
func (c *client) publishStats(ctx context.Context, stats []stat) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(stats))
	for _, s := range stats {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("views:" + s.Campaign), Value: cloudflare.F(strconv.Itoa(s.Views))})
	}
	if len(body) > 10000 {
		return fmt.Errorf("%d stats exceed one bulk write", len(body))
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body})
	return err
}

// A batch turned away only above twice the limit.
func (c *client) publishMore(ctx context.Context, stats []stat) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(stats))
	for _, s := range stats {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("views:" + s.Campaign), Value: cloudflare.F(strconv.Itoa(s.Views))})
	}
	if len(body) >= 20000 {
		return fmt.Errorf("%d stats exceed one bulk write", len(body))
	}
	_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: body}) // want `this bulk write sends batches of up to 19999 pairs`
	return err
}

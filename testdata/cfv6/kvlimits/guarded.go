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

// A batch that a flush closure sends, filled by the loop around it until
// it reaches a size above the limit.
func (c *client) importStats(ctx context.Context, stats []stat) error {
	const importBatch = 20_000
	batch := make([]kv.NamespaceBulkUpdateParamsBody, 0, importBatch)
	flush := func() error {
		if len(batch) == 0 {
			return nil
		}
		_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: batch}) // want `this bulk write sends batches of up to 20000 pairs`
		batch = batch[:0]
		return err
	}
	for _, s := range stats {
		batch = append(batch, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("views:" + s.Campaign), Value: cloudflare.F(strconv.Itoa(s.Views))})
		if len(batch) == importBatch {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// Quiet: the same, flushed at the limit.
func (c *client) importStatsSmall(ctx context.Context, stats []stat) error {
	var batch []kv.NamespaceBulkUpdateParamsBody
	flush := func() error {
		_, err := c.cf.KV.Namespaces.BulkUpdate(ctx, c.ns, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(c.account), Body: batch})
		batch = nil
		return err
	}
	for _, s := range stats {
		batch = append(batch, kv.NamespaceBulkUpdateParamsBody{Key: cloudflare.F("views:" + s.Campaign), Value: cloudflare.F(strconv.Itoa(s.Views))})
		if len(batch) >= 10_000 {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	if len(batch) == 0 {
		return nil
	}
	return flush()
}

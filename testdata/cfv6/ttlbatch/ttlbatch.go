// Package ttlbatch writes entries that each carry their own lifetime in
// one bulk write.
package ttlbatch

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

type Entry struct {
	Key, Value string
	TTL        time.Duration
}

type Namespace struct {
	CF      *cloudflare.Client
	Account string
	ID      string
}

func (n *Namespace) BulkPut(ctx context.Context, entries []Entry) error {
	body := make([]kv.NamespaceBulkUpdateParamsBody, 0, len(entries))
	for _, e := range entries {
		body = append(body, kv.NamespaceBulkUpdateParamsBody{
			Key:           cloudflare.F(e.Key),
			Value:         cloudflare.F(e.Value),
			ExpirationTTL: cloudflare.F(e.TTL.Seconds()),
		})
	}
	_, err := n.CF.KV.Namespaces.BulkUpdate(ctx, n.ID, kv.NamespaceBulkUpdateParams{AccountID: cloudflare.F(n.Account), Body: body})
	return err
}

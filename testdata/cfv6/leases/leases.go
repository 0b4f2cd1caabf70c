// Package leases takes leases kept in KV, for kvttl's cases across
// packages: the lifetime a caller gives reaches the put through a record.
package leases

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type Lease struct {
	Holder string
	Until  time.Time
}

type Leaser struct {
	Client    *cloudflare.Client
	AccountID string
	NS        string
	Now       func() time.Time
}

// Take writes the lease with an absolute end, copied from a literal.
func (l *Leaser) Take(ctx context.Context, name string, hold time.Duration) error {
	lease := Lease{Holder: "worker-1", Until: l.Now().Add(hold)}
	rec := lease
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = l.Client.KV.Namespaces.Values.Update(ctx, l.NS, "lease:"+name, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(l.AccountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(string(b))),
		Expiration: cloudflare.F(float64(rec.Until.Unix())),
	})
	return err
}

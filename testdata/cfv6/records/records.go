// Package records saves values that know their own key and lifetime.
package records

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// A Record is stored under its own key, for its own lifetime.
type Record interface {
	Key() string
	TTL() time.Duration
}

// Save writes v under v.Key() for v.TTL().
func Save[T Record](ctx context.Context, client *cloudflare.Client, v T) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	_, err = client.KV.Namespaces.Values.Update(ctx, "ns", v.Key(), kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F("acct"),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(raw)),
		ExpirationTTL: cloudflare.F(v.TTL().Seconds()),
	})
	return err
}

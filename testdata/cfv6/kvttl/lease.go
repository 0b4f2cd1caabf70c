package kvttl

import (
	"context"
	"encoding/json"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/leases"
)

type leaseRecord struct {
	Holder string
	Until  time.Time
}

// A lease helper builds its record, with an absolute end from a clock kept
// in a field, and gives the record's end to KV as the expiration.
type leaser struct {
	s   *store
	now func() time.Time
}

func (l *leaser) take(ctx context.Context, key string, hold time.Duration) error {
	rec := leaseRecord{Holder: "worker-1", Until: l.now().Add(hold)}
	b, err := json.Marshal(rec)
	if err != nil {
		return err
	}
	_, err = l.s.client.KV.Namespaces.Values.Update(ctx, l.s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:  cloudflare.F(l.s.accountID),
		Value:      cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(string(b))),
		Expiration: cloudflare.F(float64(rec.Until.Unix())),
	})
	return err
}

func (l *leaser) relay(ctx context.Context) error {
	return l.take(ctx, "lease:relay", 45*time.Second) // want `Expiration is time.Now\(\) plus 45s`
}

// Quiet: held long enough.
func (l *leaser) report(ctx context.Context) error {
	return l.take(ctx, "lease:report", 5*time.Minute)
}

// The same through a package of its own, whose record is copied before
// its end is read.
func relayElsewhere(ctx context.Context, l *leases.Leaser) error {
	return l.Take(ctx, "relay", 30*time.Second) // want `Expiration is time.Now\(\) plus 30s`
}

// Quiet: held long enough.
func reportElsewhere(ctx context.Context, l *leases.Leaser) error {
	return l.Take(ctx, "report", 10*time.Minute)
}

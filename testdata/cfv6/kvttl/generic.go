package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"

	"kvlint.test/cfv6/numeric"
)

// A generic helper over plain numbers, given a time.Duration, sees its
// nanoseconds: ten minutes become 600000000000 seconds.
func (s *store) planFor(ctx context.Context, key, v string, hold time.Duration) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		ExpirationTTL: cloudflare.F(float64(numeric.Seconds(hold))), // want `converts a time.Duration to nanoseconds`
	})
	return err
}

// Quiet: the same helper given seconds.
func (s *store) planForSeconds(ctx context.Context, key, v string, hold time.Duration) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		ExpirationTTL: cloudflare.F(float64(numeric.Seconds(hold.Seconds()))),
	})
	return err
}

// Quiet: a generic helper that returns a time.Duration, converted right.
func (s *store) planForFloor(ctx context.Context, key, v string, hold time.Duration) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		ExpirationTTL: cloudflare.F(numeric.AtLeast(hold, time.Minute).Seconds()),
	})
	return err
}

// Quiet: a generic helper that scales its argument knows the unit.
func (s *store) planForWhole(ctx context.Context, key, v string, hold time.Duration) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, key, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		ExpirationTTL: cloudflare.F(float64(numeric.WholeSeconds(hold))),
	})
	return err
}

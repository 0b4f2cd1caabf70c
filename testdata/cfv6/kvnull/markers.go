package kvnull

import (
	"context"
	"strconv"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

func (s *store) putText(ctx context.Context, key, value string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.ns, key, kv.NamespaceValueUpdateParams{
		AccountID: cloudflare.F(s.account),
		Value:     cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(value)),
	})
	return err
}

// Quiet: a test of presence, then a marker that is the only value the key
// ever holds (an idempotency key): a failure that rewrites it loses
// nothing.
func (s *store) ackOnce(ctx context.Context, id string) error {
	if _, err := s.get(ctx, "ack:"+id); err == nil {
		return nil
	}
	return s.putText(ctx, "ack:"+id, "1")
}

// A default written after any failure, where another write of the
// package stores real limits under the same key: a timeout replaces them.
func (s *store) ensureLimits(ctx context.Context, carrier string) error {
	if _, err := s.get(ctx, "limits:"+carrier); err != nil { // want `every error of this get is taken for a missing key`
		return s.putText(ctx, "limits:"+carrier, `{"max":20}`)
	}
	return nil
}

func (s *store) setLimits(ctx context.Context, carrier string, max int) error {
	return s.putText(ctx, "limits:"+carrier, `{"max":`+strconv.Itoa(max)+`}`)
}

package kvttl

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

type pairingConfig struct {
	CodeTTLMillis int64
	SessionTTLMs  int64
	Items         int64
}

// A count of milliseconds, by its name, sent as seconds.
func (s *store) issueCode(ctx context.Context, cfg pairingConfig, code string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, "code:"+code, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("1")),
		ExpirationTTL: cloudflare.F(float64(cfg.CodeTTLMillis)), // want `ExpirationTTL is a lifetime in seconds, but this passes CodeTTLMillis unconverted`
	})
	return err
}

// Quiet: converted, or named for no unit.
func (s *store) issueSession(ctx context.Context, cfg pairingConfig, id string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, "session:"+id, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("1")),
		ExpirationTTL: cloudflare.F(float64(cfg.SessionTTLMs / 1000)),
	})
	return err
}

func (s *store) issueBatch(ctx context.Context, cfg pairingConfig, id string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, "batch:"+id, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString("1")),
		ExpirationTTL: cloudflare.F(float64(cfg.Items)),
	})
	return err
}

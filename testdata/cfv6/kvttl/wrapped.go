package kvttl

import (
	"context"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
	"github.com/cloudflare/cloudflare-go/v6/shared"
)

// Duration is a config file's duration ("90s"), one type for every
// duration of the config, only some of which are lifetimes in KV.
type Duration struct{ time.Duration }

type settings struct {
	SessionTTL   Duration
	PollInterval Duration
}

func defaults() settings {
	return settings{
		SessionTTL:   Duration{30 * time.Second}, // want `ExpirationTTL 30 \(kept in Duration.Duration, which a later put reads\) is below`
		PollInterval: Duration{15 * time.Second}, // quiet: no put reads it
	}
}

func (s *store) saveSession(ctx context.Context, cfg settings, id, v string) error {
	_, err := s.client.KV.Namespaces.Values.Update(ctx, s.nsID, "session:"+id, kv.NamespaceValueUpdateParams{
		AccountID:     cloudflare.F(s.accountID),
		Value:         cloudflare.F[kv.NamespaceValueUpdateParamsValueUnion](shared.UnionString(v)),
		ExpirationTTL: cloudflare.F(cfg.SessionTTL.Seconds()),
	})
	return err
}

package kvlist

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

type rolloutConfig struct {
	CohortPageSize int
	SampleLimit    int
}

// A page sized by configuration, taken for the whole cohort: the
// cursor is never read.
func (s *store) cohort(ctx context.Context, cfg rolloutConfig, name string) ([]string, error) { // want cohort:"kvlist"
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, kv.NamespaceKeyListParams{ // want `only the first page of this list is used`
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F("cohort:" + name + ":"),
		Limit:     cloudflare.F(float64(cfg.CohortPageSize)),
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range res.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

// Quiet: as many keys as the caller asked for, a sample.
func (s *store) sample(ctx context.Context, cfg rolloutConfig, name string) ([]string, error) {
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F("cohort:" + name + ":"),
		Limit:     cloudflare.F(float64(cfg.SampleLimit)),
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range res.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

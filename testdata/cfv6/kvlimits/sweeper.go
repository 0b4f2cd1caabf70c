package kvlimits

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// A sweep's page size, set in a literal nested in the jobs' wiring.
type sweep struct {
	c        *client
	pageSize int
}

func (s *sweep) run(ctx context.Context) error {
	_, err := s.c.cf.KV.Namespaces.Keys.List(ctx, s.c.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.c.account),
		Limit:     cloudflare.F(float64(s.pageSize)),
	})
	return err
}

type jobs struct {
	scratch *sweep
}

func (j jobs) start(ctx context.Context) error { return j.scratch.run(ctx) }

func startJobs(ctx context.Context, j jobs) error { return j.start(ctx) }

// Reported once, at the field, not again at the literal that holds it.
func wireJobs(ctx context.Context, c *client) error {
	return startJobs(ctx, jobs{
		scratch: &sweep{
			c:        c,
			pageSize: 5, // want `the KV REST API refuses a list Limit below 10, and this one is 5`
		},
	})
}

package jobs

import (
	"context"

	"example.com/ibex/internal/kvrest"
)

// Backlog reports on the transcript queue.
type Backlog struct {
	rest *kvrest.Client
	ns   string
}

// NewBacklog returns a Backlog over the jobs namespace.
func NewBacklog(rest *kvrest.Client, ns string) *Backlog { return &Backlog{rest: rest, ns: ns} }

// Size returns how many transcript jobs are waiting, for the ops
// dashboard and the autoscaler.
func (b *Backlog) Size(ctx context.Context) (int, error) {
	page, err := b.rest.List(ctx, b.ns, kvrest.ListQuery{Prefix: "job:pending:"}) // EXPECT kvlist
	if err != nil {
		return 0, err
	}
	return len(page.Keys), nil
}

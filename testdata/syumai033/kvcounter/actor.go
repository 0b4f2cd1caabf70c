package kvcounter

import (
	"context"

	"kvlint.test/syumai033/actor"
)

// The actor's increment is reported inside it, not again here.
func countPageView(ctx context.Context, a *actor.Actor, page string) error {
	return a.Add(ctx, "views:"+page, 1)
}

package kvsession

import (
	"context"

	"kvlint.test/syumai033/actor"
)

// A logout that deletes the session through an actor is a KV delete.
func logoutVia(ctx context.Context, a *actor.Actor, sid string) error { // want logoutVia:"kvsession"
	return a.Delete(ctx, "session:"+sid) // want `session revoked or consumed by a KV delete`
}

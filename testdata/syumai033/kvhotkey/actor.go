package kvhotkey

import (
	"context"
	"time"

	"kvlint.test/syumai033/actor"
)

// A constant key written through an actor on every run of a loop is
// written as often; distinct keys are not.
func drain(ctx context.Context, a *actor.Actor, events []string) error { // want drain:"kvhotkey"
	for _, ev := range events {
		if err := a.Put(ctx, "event:"+ev, "seen", time.Hour); err != nil {
			return err
		}
		if err := a.Put(ctx, "events:last", ev, 0); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

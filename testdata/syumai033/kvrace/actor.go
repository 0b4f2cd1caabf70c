package kvrace

import (
	"context"
	"time"

	"kvlint.test/syumai033/actor"
)

// A list read through an actor, appended to and written back.
func joinWaitlist(ctx context.Context, a *actor.Actor, slot, patient string) error {
	raw, err := a.Get(ctx, "waitlist:"+slot)
	if err != nil {
		return err
	}
	return a.Put(ctx, "waitlist:"+slot, raw+","+patient, 7*24*time.Hour) // want `read-modify-write on one KV key`
}

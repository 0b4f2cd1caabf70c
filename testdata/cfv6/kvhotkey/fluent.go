package kvhotkey

import (
	"context"
	"time"

	"kvlint.test/cfv6/fluent"
)

// A builder of struct values: Entry(key) makes one, Value and TTL return
// changed copies. The trip's key is the same in every iteration.
func saveLegs(ctx context.Context, st *fluent.Store, trip string, legs [][]byte) error { // want saveLegs:"kvhotkey"
	entry := st.Entry("trip:" + trip)
	for _, leg := range legs {
		if err := entry.Value(leg).TTL(24 * time.Hour).Put(ctx); err != nil { // want `this loop writes the same KV key on every iteration`
			return err
		}
	}
	return nil
}

// Quiet: one key per leg.
func saveEachLeg(ctx context.Context, st *fluent.Store, trip string, legs map[string][]byte) error {
	for id, leg := range legs {
		if err := st.Entry("leg:" + trip + ":" + id).Value(leg).Put(ctx); err != nil {
			return err
		}
	}
	return nil
}

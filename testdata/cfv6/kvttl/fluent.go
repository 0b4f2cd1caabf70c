package kvttl

import (
	"context"
	"time"

	"kvlint.test/cfv6/fluent"
)

// A lifetime given to a builder's method that turns it into a write
// option.
func quote(ctx context.Context, st *fluent.Store, id string, v []byte) error {
	return st.Entry("quote:" + id).Value(v).TTL(45 * time.Second).Put(ctx) // want `ExpirationTTL 45 \(passed to fluent.TTL, which keeps it in PutOptions.TTL\)`
}

// Quiet: a lifetime of a minute or more.
func fare(ctx context.Context, st *fluent.Store, id string, v []byte) error {
	return st.Entry("fare:" + id).Value(v).TTL(15 * time.Minute).Put(ctx)
}

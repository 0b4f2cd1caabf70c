package kvttl

import (
	"context"
	"time"

	"kvlint.test/cfv6/ifaceopts"
)

// Options that are values of an interface, made by functions of the
// store's package and applied by its Put.
func rememberScan(ctx context.Context, st *ifaceopts.Store, gate string) error {
	if err := st.Put(ctx, "scan:"+gate, "1", ifaceopts.ExpireIn(30*time.Second)); err != nil { // want `ExpirationTTL 30 \(passed to ifaceopts.ExpireIn`
		return err
	}
	return st.Put(ctx, "seen:"+gate, "1", ifaceopts.ExpireInSeconds(45)) // want `ExpirationTTL 45 \(passed to ifaceopts.ExpireInSeconds`
}

// Quiet: lifetimes of a minute or more.
func rememberBadge(ctx context.Context, st *ifaceopts.Store, badge string) error {
	if err := st.Put(ctx, "badge:"+badge, "1", ifaceopts.ExpireIn(5*time.Minute)); err != nil {
		return err
	}
	return st.Put(ctx, "visit:"+badge, "1", ifaceopts.ExpireInSeconds(120))
}

// A backoff that is 20 s on the first attempt: found as a constant on
// that path and as the clamp's floor, and reported once.
func rememberAttempt(ctx context.Context, st *ifaceopts.Store, card string, failed bool, previous int) error {
	attempts := 0
	if failed {
		attempts = previous
	}
	backoff := time.Duration(attempts) * 5 * time.Second
	return st.Put(ctx, "attempts:"+card, "1", ifaceopts.ExpireIn(max(backoff, 20*time.Second))) // want `ExpirationTTL .*20`
}

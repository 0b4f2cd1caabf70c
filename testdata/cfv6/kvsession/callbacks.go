package kvsession

import (
	"context"

	"kvlint.test/cfv6/callbacks"
)

// A logout that hands the store's delete to a helper that calls it.
func logoutVia(ctx context.Context, s *callbacks.Store, sessionID string) error { // want logoutVia:"kvsession"
	return callbacks.Apply(ctx, "session:"+sessionID, s.Remove) // want `A session revoked or consumed`
}

// Dropping a cached page the same way is no revocation.
func dropPage(ctx context.Context, s *callbacks.Store, slug string) error {
	return callbacks.Apply(ctx, "page:"+slug, s.Remove)
}

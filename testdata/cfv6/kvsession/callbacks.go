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

// Signing out of every device: the session keys collected, then handed
// to a helper that deletes each.
func signOutDevices(ctx context.Context, s *callbacks.Store, ids []string) error { // want signOutDevices:"kvsession"
	var keys []string
	for _, id := range ids {
		keys = append(keys, "session:"+id)
	}
	return callbacks.RemoveAll(ctx, s, keys...) // want `A session revoked or consumed by a KV delete`
}

// Dropping cached pages the same way is no revocation.
func dropPages(ctx context.Context, s *callbacks.Store, slugs []string) error {
	var keys []string
	for _, slug := range slugs {
		keys = append(keys, "page:"+slug)
	}
	return callbacks.RemoveAll(ctx, s, keys...)
}

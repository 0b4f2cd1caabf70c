// Package session logs out through a configured KV-shaped interface.
package session

import (
	"context"

	"kvlint.test/syumai033/iface"
)

func Logout(ctx context.Context, c iface.Cache, sid string) error { // want Logout:"kvsession"
	return c.Delete(ctx, "session:"+sid) // want `A session revoked or consumed by a KV delete`
}

// Quiet: a cached page.
func Purge(ctx context.Context, c iface.Cache, path string) error {
	return c.Delete(ctx, "page:"+path)
}

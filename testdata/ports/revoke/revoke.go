// Package revoke declares the session port that logout uses; its KV
// implementation is in kvsessions, which only main wires.
package revoke

import "context"

type Sessions interface {
	// Revoke ends a session.
	Revoke(ctx context.Context, id string) error
	// Rotate stores a fresh refresh token and retires the old one, if
	// there is one.
	Rotate(ctx context.Context, old, fresh, user string) error
}

// Package logout ends sessions through the port: nothing to report here.
// Under go vet it sees the port only through the printed interfaces,
// which say that kvsession reported inside the implementation, and that
// the key a caller passes follows a prefix (a first login passes "").
package logout

import (
	"context"

	"kvlint.test/ports/revoke"
)

func Logout(ctx context.Context, s revoke.Sessions, sessionID string) error {
	return s.Revoke(ctx, sessionID)
}

func FirstLogin(ctx context.Context, s revoke.Sessions, fresh, user string) error {
	return s.Rotate(ctx, "", fresh, user)
}

func Refresh(ctx context.Context, s revoke.Sessions, refreshToken, fresh, user string) error {
	return s.Rotate(ctx, refreshToken, fresh, user)
}

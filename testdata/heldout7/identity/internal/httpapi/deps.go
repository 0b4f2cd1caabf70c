// Package httpapi is the origin HTTP API of the identity provider. Edge
// Workers serve the hot read paths from KV; these handlers do the writes.
package httpapi

import (
	"context"
	"log/slog"

	"example.com/identity/internal/accounts"
	"example.com/identity/internal/apikeys"
	"example.com/identity/internal/clients"
	"example.com/identity/internal/emailverify"
	"example.com/identity/internal/loginlimit"
	"example.com/identity/internal/oauth"
	"example.com/identity/internal/session"
	"example.com/identity/internal/store"
	"example.com/identity/internal/store/kvsdk"
	"example.com/identity/internal/tokens"
	"example.com/identity/internal/webauthn"
)

// Passwords checks and changes passwords in the primary database.
type Passwords interface {
	Check(ctx context.Context, login, password string) (uid string, err error)
	Change(ctx context.Context, uid, oldPassword, newPassword string) error
}

// Deps is everything the handlers need; main fills it in.
type Deps struct {
	Sessions     *session.Manager
	Codes        *oauth.Codes
	Upstream     *oauth.Upstream
	Consents     *oauth.Consents
	Tokens       *tokens.Service
	Clients      *clients.Registry
	Accounts     *accounts.Service
	Limiter      *loginlimit.Limiter
	TokenLimiter *loginlimit.TokenLimiter
	APIKeys      *apikeys.Service
	WebAuthn     *webauthn.Service
	Verify       *emailverify.Service
	Passwords    Passwords
	NS           kvsdk.Namespace
	Log          *slog.Logger

	// Raw access to the namespace for small bookkeeping values.
	Load func(ctx context.Context, key string) ([]byte, error)
	Save func(ctx context.Context, key string, value []byte, opts ...store.PutOption) error
}

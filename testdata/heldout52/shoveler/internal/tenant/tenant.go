// Package tenant carries the studio (tenant) and player identity of a request
// through context.Context. Stores read it themselves to scope their keys.
package tenant

import (
	"context"
	"net/http"
)

type ctxKey int

const (
	tenantKey ctxKey = iota
	playerKey
)

// DefaultTenant is used for first-party titles that predate multi-tenancy.
const DefaultTenant = "arcadia"

// With returns a context carrying the tenant ID.
func With(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, tenantKey, id)
}

// WithPlayer returns a context carrying the authenticated player ID.
func WithPlayer(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, playerKey, id)
}

// From returns the tenant of ctx, or DefaultTenant.
func From(ctx context.Context) string {
	if id, ok := ctx.Value(tenantKey).(string); ok && id != "" {
		return id
	}
	return DefaultTenant
}

// Player returns the authenticated player of ctx, if any.
func Player(ctx context.Context) (string, bool) {
	id, ok := ctx.Value(playerKey).(string)
	return id, ok && id != ""
}

// FromRequest derives the tenant from the X-Studio header the edge router sets.
func FromRequest(r *http.Request) context.Context {
	ctx := r.Context()
	if h := r.Header.Get("X-Studio"); h != "" {
		ctx = With(ctx, h)
	}
	return ctx
}

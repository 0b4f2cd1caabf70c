// Package tenant carries the podcast network (tenant) a request acts for.
package tenant

import (
	"context"
	"strings"
)

type ctxKey struct{}

// Default is used when a request carries no network.
const Default = "scaup"

// With returns a context that carries the network ID.
func With(ctx context.Context, network string) context.Context {
	network = strings.ToLower(strings.TrimSpace(network))
	if network == "" {
		network = Default
	}
	return context.WithValue(ctx, ctxKey{}, network)
}

// From returns the network carried by ctx, or Default.
func From(ctx context.Context) string {
	if v, ok := ctx.Value(ctxKey{}).(string); ok && v != "" {
		return v
	}
	return Default
}

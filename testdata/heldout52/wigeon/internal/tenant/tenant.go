// Package tenant carries the authenticated tenant (a merchant account on the
// invoicing platform) and, for portal requests, the end customer through the
// request context.
package tenant

import (
	"context"
	"errors"
)

type ctxKey int

const (
	tenantKey ctxKey = iota
	customerKey
)

// ErrNoTenant is returned when a store is used outside an authenticated request.
var ErrNoTenant = errors.New("tenant: no tenant in context")

// With returns a copy of ctx that carries the tenant ID.
func With(ctx context.Context, tenantID string) context.Context {
	return context.WithValue(ctx, tenantKey, tenantID)
}

// WithCustomer returns a copy of ctx that carries the portal customer ID.
func WithCustomer(ctx context.Context, customerID string) context.Context {
	return context.WithValue(ctx, customerKey, customerID)
}

// From returns the tenant ID carried by ctx, or "" if there is none.
func From(ctx context.Context) string {
	id, _ := ctx.Value(tenantKey).(string)
	return id
}

// Customer returns the portal customer ID carried by ctx, or "".
func Customer(ctx context.Context) string {
	id, _ := ctx.Value(customerKey).(string)
	return id
}

// Require is like From but fails when the tenant is missing.
func Require(ctx context.Context) (string, error) {
	if id := From(ctx); id != "" {
		return id, nil
	}
	return "", ErrNoTenant
}

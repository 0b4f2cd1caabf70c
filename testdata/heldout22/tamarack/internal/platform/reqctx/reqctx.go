// Package reqctx carries request-scoped values through context.Context.
package reqctx

import (
	"context"
	"log/slog"

	"example.com/tamarack/internal/platform/store"
)

type ctxKey int

const (
	tenantKey ctxKey = iota
	storeKey
	requestIDKey
	staffKey
)

// Tenant identifies the festival edition a request belongs to.
type Tenant struct {
	ID      string
	Edition string
}

// WithTenant returns ctx carrying t.
func WithTenant(ctx context.Context, t Tenant) context.Context {
	return context.WithValue(ctx, tenantKey, t)
}

// TenantFrom returns the request's tenant.
func TenantFrom(ctx context.Context) (Tenant, bool) {
	t, ok := ctx.Value(tenantKey).(Tenant)
	return t, ok
}

// WithStore returns ctx carrying the request's tenant-scoped store.
func WithStore(ctx context.Context, s store.Store) context.Context {
	return context.WithValue(ctx, storeKey, s)
}

// StoreFrom returns the request's store, or fallback when none was attached.
func StoreFrom(ctx context.Context, fallback store.Store) store.Store {
	if s, ok := ctx.Value(storeKey).(store.Store); ok {
		return s
	}
	return fallback
}

// WithRequestID returns ctx carrying id.
func WithRequestID(ctx context.Context, id string) context.Context {
	return context.WithValue(ctx, requestIDKey, id)
}

// RequestID returns the request id or "".
func RequestID(ctx context.Context) string {
	id, _ := ctx.Value(requestIDKey).(string)
	return id
}

// Staff is the authenticated staff member of a request.
type Staff struct {
	ID        string
	Role      string
	SessionID string
}

// WithStaff returns ctx carrying s.
func WithStaff(ctx context.Context, s Staff) context.Context {
	return context.WithValue(ctx, staffKey, s)
}

// StaffFrom returns the authenticated staff member.
func StaffFrom(ctx context.Context) (Staff, bool) {
	s, ok := ctx.Value(staffKey).(Staff)
	return s, ok
}

// Logger returns base annotated with the request's id and tenant.
func Logger(ctx context.Context, base *slog.Logger) *slog.Logger {
	l := base
	if id := RequestID(ctx); id != "" {
		l = l.With("request_id", id)
	}
	if t, ok := TenantFrom(ctx); ok {
		l = l.With("tenant", t.ID)
	}
	return l
}

// Package httpx has the middleware shared by every route.
package httpx

import (
	"context"
	"log/slog"
	"net/http"
	"strings"

	"example.com/pressroom/internal/keys"
)

// Middleware wraps a handler.
type Middleware func(http.Handler) http.Handler

// Chain applies mws so that the first one is the outermost.
func Chain(h http.Handler, mws ...Middleware) http.Handler {
	for i := len(mws) - 1; i >= 0; i-- {
		h = mws[i](h)
	}
	return h
}

type tenantKey struct{}

// WithTenant stores the tenant in ctx.
func WithTenant(ctx context.Context, t keys.Tenant) context.Context {
	return context.WithValue(ctx, tenantKey{}, t)
}

// Tenant returns the tenant stored by TenantFromHost.
func Tenant(ctx context.Context) keys.Tenant {
	t, _ := ctx.Value(tenantKey{}).(keys.Tenant)
	return t
}

// TenantFromHost maps news.<tenant>.example to the tenant id.
func TenantFromHost(fallback keys.Tenant) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			t := fallback
			host := strings.Split(r.Host, ":")[0]
			if parts := strings.Split(host, "."); len(parts) >= 3 && parts[0] == "news" {
				t = keys.Tenant(parts[1])
			}
			next.ServeHTTP(w, r.WithContext(WithTenant(r.Context(), t)))
		})
	}
}

// Recover turns panics into 500s and logs each request with its Cloudflare ray id.
func Recover(log *slog.Logger) Middleware {
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			defer func() {
				if v := recover(); v != nil {
					log.ErrorContext(r.Context(), "panic", "value", v, "ray", r.Header.Get("CF-Ray"))
					http.Error(w, "internal error", http.StatusInternalServerError)
				}
			}()
			log.DebugContext(r.Context(), "request", "method", r.Method, "path", r.URL.Path, "ray", r.Header.Get("CF-Ray"))
			next.ServeHTTP(w, r)
		})
	}
}

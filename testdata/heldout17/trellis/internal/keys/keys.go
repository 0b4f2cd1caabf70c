// Package keys names things in the key-value store. Every key starts with the tenant prefix.
package keys

import (
	"bytes"
	"context"
	"errors"
	"regexp"
	"strings"
	"text/template"
)

// TenantID identifies a nursery on the platform.
type TenantID string

var tenantRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,62}$`)

// ErrBadTenant is returned for tenant IDs that cannot appear in keys.
var ErrBadTenant = errors.New("keys: invalid tenant id")

func (t TenantID) MarshalText() ([]byte, error) {
	if !tenantRE.MatchString(string(t)) {
		return nil, ErrBadTenant
	}
	return []byte(t), nil
}

func (t *TenantID) UnmarshalText(b []byte) error {
	if !tenantRE.Match(b) {
		return ErrBadTenant
	}
	*t = TenantID(b)
	return nil
}

// Prefix is the key prefix that holds all of a tenant's data.
func (t TenantID) Prefix() string { return "t:" + string(t) + ":" }

// Order names one order.
type Order struct {
	Tenant TenantID
	ID     string
}

// String renders the key.
func (k Order) String() string { return k.Tenant.Prefix() + "order:" + k.ID }

// OrderPrefix is the listing prefix for a tenant's orders.
func OrderPrefix(t TenantID) string { return t.Prefix() + "order:" }

const (
	PatternUsage    = "t:{tenant}:usage:{month}"
	PatternPlan     = "t:{tenant}:plan"
	PatternProduct  = "t:{tenant}:product:{sku}"
	PatternPrice    = "t:{tenant}:price:{sku}"
	PatternStock    = "t:{tenant}:stock:{sku}"
	PatternViews    = "t:{tenant}:views:{sku}"
	PatternSlug     = "t:{tenant}:slug:{slug}"
	PatternSupplier = "t:{tenant}:supplier:{supplier}"
)

// Expand fills a pattern: Expand(PatternPrice, t, "sku", "ACER-PALM-3L").
func Expand(pattern string, tenant TenantID, fields ...string) string {
	args := []string{"{tenant}", string(tenant)}
	for i := 0; i+1 < len(fields); i += 2 {
		args = append(args, "{"+fields[i]+"}", fields[i+1])
	}
	return strings.NewReplacer(args...).Replace(pattern)
}

var sessionTmpl = template.Must(template.New("session").Parse(`{{.Tenant.Prefix}}sess:{{.User}}:{{.ID}}`))

// Session names one customer session; the user is part of the key so that a user's sessions can be listed by prefix.
func Session(tenant TenantID, user, id string) string {
	var buf bytes.Buffer
	_ = sessionTmpl.Execute(&buf, struct {
		Tenant   TenantID
		User, ID string
	}{tenant, user, id})
	return buf.String()
}

// SessionPrefix lists all sessions of one user.
func SessionPrefix(tenant TenantID, user string) string {
	return tenant.Prefix() + "sess:" + user + ":"
}

type tenantCtxKey struct{}

// WithTenant attaches the resolved tenant to ctx.
func WithTenant(ctx context.Context, t TenantID) context.Context {
	return context.WithValue(ctx, tenantCtxKey{}, t)
}

// TenantFrom returns the tenant attached by WithTenant.
func TenantFrom(ctx context.Context) (TenantID, bool) {
	t, ok := ctx.Value(tenantCtxKey{}).(TenantID)
	return t, ok && t != ""
}

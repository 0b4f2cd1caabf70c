// Package settings stores platform defaults and per-tenant settings.
package settings

import (
	"context"
	"encoding/json"
	"strings"

	"example.com/meadow/internal/config"
	"example.com/meadow/internal/storage"
)

// nodeKey maps a settings path to its key. The root of the tree holds the
// defaults every other node inherits.
func nodeKey(parts ...string) string {
	if len(parts) == 0 {
		return "."
	}
	return "settings/" + strings.Join(parts, "/")
}

// Platform is the settings tree shared by every tenant. Store is the
// unscoped namespace.
type Platform struct {
	Store storage.Store
}

// SetDefaults replaces the platform defaults.
func (p Platform) SetDefaults(ctx context.Context, values map[string]string) error {
	b, err := json.Marshal(values)
	if err != nil {
		return err
	}
	return p.Store.Put(ctx, nodeKey(), b, storage.PutOptions{}) // EXPECT kvlimits
}

// Branding is a tenant's look.
type Branding struct {
	Name    string `json:"name"`
	Colour  string `json:"colour"`
	LogoURL string `json:"logo_url"`
}

// DefaultBranding is what a tenant starts with.
var DefaultBranding = Branding{Name: "Meadow", Colour: "#2f7d32", LogoURL: "/static/meadow.svg"}

// Tenant is one tenant's settings; Store is tenant-scoped.
type Tenant struct {
	Store storage.Store
}

// Branding returns the tenant's branding, seeding the default on first use so
// the editor has a document to change.
func (t Tenant) Branding(ctx context.Context) (Branding, error) {
	b, err := t.Store.Get(ctx, nodeKey("branding")) // EXPECT kvnull
	if err != nil {
		enc, _ := json.Marshal(DefaultBranding)
		if perr := t.Store.Put(ctx, nodeKey("branding"), enc, storage.PutOptions{}); perr != nil {
			return DefaultBranding, perr
		}
		return DefaultBranding, nil
	}
	var br Branding
	if err := json.Unmarshal(b, &br); err != nil {
		return DefaultBranding, nil
	}
	return br, nil
}

// SetBranding replaces the tenant's branding.
func (t Tenant) SetBranding(ctx context.Context, br Branding) error {
	b, err := json.Marshal(br)
	if err != nil {
		return err
	}
	return t.Store.Put(ctx, nodeKey("branding"), b, storage.PutOptions{})
}

// Plan returns the tenant's plan; tenants without one are on the free plan.
func (t Tenant) Plan(ctx context.Context) (config.Plan, error) {
	b, err := t.Store.Get(ctx, nodeKey("plan"))
	if storage.IsNotFound(err) {
		return config.PlanFree, nil
	}
	if err != nil {
		return config.PlanFree, err
	}
	return config.ParsePlan(string(b)), nil
}

// SetPlan records the tenant's plan.
func (t Tenant) SetPlan(ctx context.Context, p config.Plan) error {
	return t.Store.Put(ctx, nodeKey("plan"), []byte(p), storage.PutOptions{})
}

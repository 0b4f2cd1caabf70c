// Package tenant manages tenants, their slugs, signing secrets and API keys.
package tenant

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"time"

	"wagtail/internal/kvstore"
)

// ErrSlugTaken is returned when another tenant owns the slug.
var ErrSlugTaken = errors.New("tenant: slug already taken")

var slugRE = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,38}[a-z0-9]$`)

// Tenant is an organisation that sends webhooks through wagtail.
type Tenant struct {
	ID        string    `json:"id"`
	Slug      string    `json:"slug"`
	Name      string    `json:"name"`
	Plan      string    `json:"plan"`
	CreatedAt time.Time `json:"created_at"`
}

// Repo stores tenants by ID.
type Repo struct {
	kvstore.Base
}

// NewRepo returns a Repo in namespace ns.
func NewRepo(ns string) *Repo { return &Repo{Base: kvstore.NewBase(ns, kvstore.KindTenant)} }

// Create registers a tenant under a unique slug.
func (r *Repo) Create(ctx context.Context, name, slug, plan string) (Tenant, error) {
	if !slugRE.MatchString(slug) {
		return Tenant{}, fmt.Errorf("tenant: invalid slug %q", slug)
	}
	slugKey := kvstore.KindTenantSlug.Key(slug)
	if _, err := r.GetRaw(ctx, slugKey); err == nil {
		return Tenant{}, ErrSlugTaken
	} else if !kvstore.IsMiss(err) {
		return Tenant{}, err
	}
	t := Tenant{ID: NewID("tn"), Slug: slug, Name: name, Plan: plan, CreatedAt: time.Now().UTC()}
	if err := kvstore.PutBytes(ctx, r.NS, slugKey, []byte(t.ID), 0); err != nil { // EXPECT kvrace
		return Tenant{}, err
	}
	if err := r.PutJSON(ctx, r.KeyOf(t.ID), t, 0); err != nil {
		return Tenant{}, err
	}
	return t, nil
}

// BySlug resolves a slug to its tenant.
func (r *Repo) BySlug(ctx context.Context, slug string) (kvstore.Maybe[Tenant], error) {
	id, err := r.GetRaw(ctx, kvstore.KindTenantSlug.Key(slug))
	if errors.Is(err, kvstore.ErrMiss) {
		return kvstore.None[Tenant](), nil
	}
	if err != nil {
		return kvstore.None[Tenant](), err
	}
	return kvstore.Lookup[Tenant](ctx, r.NS, r.KeyOf(string(id)))
}

// SigningSecret returns the tenant's webhook signing secret, creating one
// the first time it is needed.
func (r *Repo) SigningSecret(ctx context.Context, tenantID string) (string, error) {
	key := kvstore.Key("whsec", tenantID)
	raw, err := kvstore.GetBytes(ctx, r.NS, key) // EXPECT kvnull
	if err == nil {
		return string(raw), nil
	}
	secret := "whsec_" + randomSecret(24)
	if err := kvstore.PutBytes(ctx, r.NS, key, []byte(secret), 0); err != nil { // DEBATABLE kvrace
		return "", err
	}
	return secret, nil
}

// RotateSigningSecret replaces the signing secret with a new random one.
func (r *Repo) RotateSigningSecret(ctx context.Context, tenantID string) (string, error) {
	secret := "whsec_" + randomSecret(24)
	if err := kvstore.PutBytes(ctx, r.NS, kvstore.Key("whsec", tenantID), []byte(secret), 0); err != nil {
		return "", err
	}
	return secret, nil
}

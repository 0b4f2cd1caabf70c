// Package onboarding provisions and removes tenants.
package onboarding

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/meadow/internal/config"
	"example.com/meadow/internal/invites"
	"example.com/meadow/internal/settings"
	"example.com/meadow/internal/storage"
	"example.com/meadow/internal/tenant"
)

// ErrSubdomainTaken is returned when another tenant owns the subdomain.
var ErrSubdomainTaken = errors.New("onboarding: subdomain taken")

// Step is one provisioning step and how to undo it.
type Step struct {
	Name string
	Run  func(ctx context.Context) error
	Undo func(ctx context.Context) error
}

// Request describes a new tenant.
type Request struct {
	TenantID   string
	Subdomain  string
	Plan       config.Plan
	AdminEmail string
}

// Provisioner runs the provisioning saga. Store is the unscoped namespace.
type Provisioner struct {
	Store storage.Full
	Clock func() time.Time
	Log   *slog.Logger
}

func subdomainKey(s string) string { return "subdomain/" + s }

func (p *Provisioner) claimSubdomain(ctx context.Context, req Request) error {
	key := subdomainKey(req.Subdomain)
	if _, err := p.Store.Get(ctx, key); err == nil {
		return ErrSubdomainTaken
	} else if !storage.IsNotFound(err) {
		return err
	}
	return p.Store.Put(ctx, key, []byte(req.TenantID), storage.PutOptions{}) // EXPECT kvrace
}

// Provision creates a tenant, undoing completed steps if one fails.
func (p *Provisioner) Provision(ctx context.Context, req Request) error {
	if err := tenant.Validate(req.TenantID); err != nil {
		return err
	}
	st := tenant.Scope(p.Store, req.TenantID)
	prefs := settings.Tenant{Store: st}
	steps := []Step{
		{
			Name: "claim-subdomain",
			Run:  func(ctx context.Context) error { return p.claimSubdomain(ctx, req) },
			Undo: func(ctx context.Context) error { return p.Store.Delete(ctx, subdomainKey(req.Subdomain)) },
		},
		{
			Name: "plan",
			Run:  func(ctx context.Context) error { return prefs.SetPlan(ctx, req.Plan) },
			Undo: func(ctx context.Context) error { return st.Delete(ctx, "settings/plan") },
		},
		{
			Name: "branding",
			Run:  func(ctx context.Context) error { return prefs.SetBranding(ctx, settings.DefaultBranding) },
			Undo: func(ctx context.Context) error { return st.Delete(ctx, "settings/branding") },
		},
		{
			Name: "admin-invite",
			Run: func(ctx context.Context) error {
				uc := invites.CreateInvite{Invites: st, Clock: p.Clock}
				_, err := uc.Execute(ctx, invites.CreateCommand{
					Tenant: req.TenantID, Email: req.AdminEmail, Role: "admin", ExpiresAt: p.Clock().Add(7 * 24 * time.Hour),
				})
				return err
			},
		},
	}
	var done []Step
	for _, s := range steps {
		if err := s.Run(ctx); err != nil {
			p.compensate(ctx, done)
			return fmt.Errorf("onboarding: %s: %w", s.Name, err)
		}
		done = append(done, s)
		if err := st.Put(ctx, "provision/status", []byte(s.Name), storage.PutOptions{}); err != nil { // EXPECT kvhotkey
			p.Log.Warn("status not recorded", "tenant", req.TenantID, "step", s.Name, "err", err)
		}
	}
	return nil
}

func (p *Provisioner) compensate(ctx context.Context, done []Step) {
	for i := len(done) - 1; i >= 0; i-- {
		if done[i].Undo == nil {
			continue
		}
		if err := done[i].Undo(ctx); err != nil {
			p.Log.Error("compensation failed", "step", done[i].Name, "err", err)
		}
	}
}

// Purge deletes a tenant's keys, at most maxPages pages per call; callers
// repeat until it reports zero.
func (p *Provisioner) Purge(ctx context.Context, tenantID string, maxPages int) (int, error) {
	if err := tenant.Validate(tenantID); err != nil {
		return 0, err
	}
	page, err := p.Store.List(ctx, storage.ListQuery{Prefix: tenant.Prefix(tenantID), Limit: 500})
	if err != nil {
		return 0, err
	}
	deleted := 0
	for i := 1; ; i++ {
		for _, k := range page.Keys {
			if err := p.Store.Delete(ctx, k.Name); err != nil {
				return deleted, err
			}
			deleted++
		}
		if page.Complete() || i >= maxPages {
			return deleted, nil
		}
		page, err = p.Store.List(ctx, storage.ListQuery{Cursor: page.Cursor, Limit: 500}) // EXPECT kvlist
		if err != nil {
			return deleted, err
		}
	}
}

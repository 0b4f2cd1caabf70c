package onboarding_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/meadow/internal/config"
	"example.com/meadow/internal/onboarding"
	"example.com/meadow/internal/settings"
	"example.com/meadow/internal/storage/memstore"
	"example.com/meadow/internal/tenant"
)

func TestProvisionAndCompensate(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	p := &onboarding.Provisioner{Store: mem, Clock: time.Now, Log: slog.New(slog.NewTextHandler(io.Discard, nil))}

	if err := p.Provision(ctx, onboarding.Request{TenantID: "acme", Subdomain: "acme", Plan: config.PlanTeam, AdminEmail: "a@acme.test"}); err != nil {
		t.Fatal(err)
	}
	plan, err := settings.Tenant{Store: tenant.Scope(mem, "acme")}.Plan(ctx)
	if err != nil || plan != config.PlanTeam {
		t.Fatalf("plan = %q, %v", plan, err)
	}

	before := mem.Len()
	err = p.Provision(ctx, onboarding.Request{TenantID: "globex", Subdomain: "acme", Plan: config.PlanFree})
	if !errors.Is(err, onboarding.ErrSubdomainTaken) {
		t.Fatalf("duplicate subdomain accepted: %v", err)
	}
	if mem.Len() != before {
		t.Fatalf("failed provisioning left %d keys behind", mem.Len()-before)
	}
}

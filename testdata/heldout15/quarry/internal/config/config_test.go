package config

import (
	"encoding/json"
	"testing"
	"time"
)

func TestDefaultLoads(t *testing.T) {
	c := Default()
	if c.Session.TTL.Duration != 24*time.Hour {
		t.Fatalf("session ttl = %v", c.Session.TTL)
	}
	if c.Keys.AccountLimits != "acct/%s/limits" {
		t.Fatalf("limits key = %q", c.Keys.AccountLimits)
	}
	if c.Admin.PageBudget != 20 {
		t.Fatalf("page budget = %d", c.Admin.PageBudget)
	}
}

func TestOverride(t *testing.T) {
	c, err := Load([]byte(`{"quota":{"window":90},"session":{"ttl":"1h"}}`))
	if err != nil {
		t.Fatal(err)
	}
	if c.Quota.Window.Duration != 90*time.Second {
		t.Fatalf("window = %v", c.Quota.Window)
	}
	if c.Session.TTL.Duration != time.Hour {
		t.Fatalf("ttl = %v", c.Session.TTL)
	}
	if c.Session.IdleTimeout.Duration != 30*time.Minute {
		t.Fatalf("idle = %v", c.Session.IdleTimeout)
	}
}

func TestBadFormat(t *testing.T) {
	if _, err := Load([]byte(`{"keys":{"accountUsage":"acct/%s"}}`)); err == nil {
		t.Fatal("expected validation error")
	}
}

func TestDurationRoundTrip(t *testing.T) {
	b, err := json.Marshal(D(90 * time.Second))
	if err != nil {
		t.Fatal(err)
	}
	var d Duration
	if err := json.Unmarshal(b, &d); err != nil {
		t.Fatal(err)
	}
	if d.Duration != 90*time.Second {
		t.Fatalf("got %v", d)
	}
}

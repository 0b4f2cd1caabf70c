package config

import (
	"testing"
	"time"
)

func TestDurationForms(t *testing.T) {
	c, err := Parse([]byte(`{"catalog":{"cache_ttl":"5m","local_ttl":45}}`))
	if err != nil {
		t.Fatal(err)
	}
	if got := c.Catalog.CacheTTL.D(); got != 5*time.Minute {
		t.Fatalf("cache_ttl = %v", got)
	}
	if got := c.Catalog.LocalTTL.D(); got != 45*time.Second {
		t.Fatalf("local_ttl = %v", got)
	}
	if c.Keys.Limits != "acct/%s/limits" {
		t.Fatalf("limits key = %q", c.Keys.Limits)
	}
}

func TestBadDuration(t *testing.T) {
	if _, err := Parse([]byte(`{"session":{"ttl":"forever"}}`)); err == nil {
		t.Fatal("expected error")
	}
}

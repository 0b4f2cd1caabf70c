package config

import (
	"testing"
	"time"
)

func env(m map[string]string) Getenv {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(env(map[string]string{"LANTERN_ENV": "dev"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Sessions.TTL() != 14*24*time.Hour {
		t.Fatalf("session ttl = %v", cfg.Sessions.TTL())
	}
	if cfg.Quota(PlanPro).Seats != 20000 {
		t.Fatalf("pro seats = %d", cfg.Quota(PlanPro).Seats)
	}
}

func TestLoadOverrides(t *testing.T) {
	cfg, err := Load(env(map[string]string{
		"LANTERN_ENV":         "dev",
		"LANTERN_FEED_TTL":    "300",
		"LANTERN_RATE_WINDOW": "2m",
		"LANTERN_PLAN_QUOTAS": "free=10/20",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Feed.TTL != 5*time.Minute || cfg.Limits.Window != 2*time.Minute {
		t.Fatalf("feed=%v window=%v", cfg.Feed.TTL, cfg.Limits.Window)
	}
	if q := cfg.Quota("unknown"); q.RSVPsPerDay != 10 {
		t.Fatalf("fallback quota = %+v", q)
	}
}

func TestLoadErrors(t *testing.T) {
	_, err := Load(env(map[string]string{"LANTERN_SESSION_TTL": "two weeks"}))
	if err == nil {
		t.Fatal("want error")
	}
}

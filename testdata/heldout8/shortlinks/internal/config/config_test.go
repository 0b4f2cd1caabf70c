package config

import (
	"testing"
	"time"
)

func TestLoadOverrides(t *testing.T) {
	env := map[string]string{"RATE_LIMIT_WINDOW": "2m", "SESSION_TTL": "72h", "ADMIN_TOKEN": "s3cret"}
	cfg, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.RateLimit.Window != 2*time.Minute || cfg.Auth.SessionTTL != 72*time.Hour || cfg.Admin.Token != "s3cret" {
		t.Fatalf("overrides not applied: %+v", cfg)
	}
	if _, err := Load(func(k string) string {
		if k == "IMPORT_WORKERS" {
			return "0"
		}
		return ""
	}); err == nil {
		t.Fatal("invalid IMPORT_WORKERS accepted")
	}
}

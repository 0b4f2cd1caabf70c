package config

import (
	"errors"
	"testing"
	"time"
)

func TestLoadFromEnv(t *testing.T) {
	env := map[string]string{
		"HOLD_TTL":          "8m",
		"RATE_LIMIT_PER_IP": "50",
		"ORIGIN_URL":        "https://staging.origin.example",
		"ADMIN_TOKEN":       "undefined",
	}
	c, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.HoldTTL != 8*time.Minute || c.Limits.PerIP != 50 || c.OriginURL != "https://staging.origin.example" {
		t.Fatalf("config = %+v", c)
	}
	if c.AdminToken != "" {
		t.Fatalf("undefined secret leaked into config: %q", c.AdminToken)
	}
}

func TestLoadRejectsBadValues(t *testing.T) {
	if _, err := Load(func(k string) string {
		if k == "SESSION_TTL" {
			return "forever"
		}
		return ""
	}); err == nil {
		t.Fatal("bad duration accepted")
	}
	_, err := Load(func(string) string { return "" }, WithHoldTTL(0))
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("zero hold ttl: %v", err)
	}
}

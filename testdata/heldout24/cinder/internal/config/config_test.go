package config

import (
	"testing"
	"time"
)

func TestParseDefaultsAndOverrides(t *testing.T) {
	env := map[string]string{"SESSION_TTL": "2h", "RATE_LIMIT": "30"}
	c, err := Parse([]byte(`{"code_ttl":"15m","max_list_pages":4}`), func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionTTL != 2*time.Hour || c.CodeTTL != 15*time.Minute || c.RateLimit != 30 || c.MaxListPages != 4 {
		t.Fatalf("unexpected %+v", c)
	}
	if c.ExportTTL != Defaults.ExportTTL {
		t.Fatalf("export ttl default not applied: %v", c.ExportTTL)
	}
}

func TestParseRejectsBadDuration(t *testing.T) {
	if _, err := Parse([]byte(`{"code_ttl":"soon"}`), func(string) string { return "" }); err == nil {
		t.Fatal("expected error")
	}
}

package config

import (
	"strings"
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string {
		if v, ok := m[k]; ok {
			return v
		}
		return "<undefined>"
	}
}

func TestParseOverrides(t *testing.T) {
	c, err := Parse(env(map[string]string{
		"HOLD_TTL":        "15m",
		"SMS_DAILY_QUOTA": "50",
		"TENANT_BINDINGS": "olive=OLIVE_KV, brasa=BRASA_KV",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if c.HoldTTL != 15*time.Minute || c.SMSDailyQuota != 50 || c.Tenants["brasa"] != "BRASA_KV" {
		t.Fatalf("unexpected config %+v", c)
	}
}

func TestParseReportsEveryProblem(t *testing.T) {
	_, err := Parse(env(map[string]string{"HOLD_TTL": "soon", "VISIT_BONUS": "lots"}))
	if err == nil || !strings.Contains(err.Error(), "HOLD_TTL") || !strings.Contains(err.Error(), "VISIT_BONUS") {
		t.Fatalf("err = %v", err)
	}
	if Current().HoldTTL != Default.HoldTTL {
		t.Fatal("failed parse must not change the published config")
	}
}

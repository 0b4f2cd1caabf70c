package config

import (
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestFromEnv(t *testing.T) {
	cfg, err := FromEnv(env(nil))
	if err != nil || cfg.Sessions.TTL != 12*time.Hour || cfg.Sessions.CookieName != "pr_session" {
		t.Fatalf("defaults = %+v, %v", cfg.Sessions, err)
	}
	cfg, err = FromEnv(env(map[string]string{"SESSION_TTL": "2h", "SESSION_COOKIE": "sid"}))
	if err != nil || cfg.Sessions.TTL != 2*time.Hour || cfg.Sessions.CookieName != "sid" {
		t.Fatalf("overrides = %+v, %v", cfg.Sessions, err)
	}
	if _, err := FromEnv(env(map[string]string{"SESSION_TTL": "10s"})); err == nil {
		t.Fatal("want error for sub-minute session ttl")
	}
}

package config

import (
	"testing"
	"time"
)

func TestLoadOverrides(t *testing.T) {
	env := map[string]string{"SESSION_TTL": "12h"}
	cfg, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Session.TTL != 12*time.Hour {
		t.Errorf("session ttl = %v", cfg.Session.TTL)
	}
	if cfg.Lobby.IdleTTL != 2*time.Hour {
		t.Errorf("lobby idle ttl = %v", cfg.Lobby.IdleTTL)
	}
}

func TestLoadRejectsShortDurations(t *testing.T) {
	_, err := Load(func(k string) string {
		if k == "LOBBY_IDLE_TTL" {
			return "10s"
		}
		return ""
	})
	if err == nil {
		t.Fatal("expected an error for a 10s idle ttl")
	}
}

package config

import (
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	env := map[string]string{
		"KV_TTLS":     "sessions.ttl_seconds=3600, lineup.ttl_seconds=120",
		"GATE_WINDOW": "90s",
		"GATE_LIMIT":  "abc",
	}
	cfg, err := Load(func(k string) string { return env[k] })
	if err == nil {
		t.Error("bad GATE_LIMIT not reported")
	}
	if cfg.SessionTTL != time.Hour || cfg.LineupCacheTTL != 2*time.Minute {
		t.Errorf("ttls = %v %v", cfg.SessionTTL, cfg.LineupCacheTTL)
	}
	if cfg.GateWindow != 90*time.Second || cfg.GateLimit != 600 {
		t.Errorf("gate = %v %d", cfg.GateWindow, cfg.GateLimit)
	}
}

package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadOverridesDefaults(t *testing.T) {
	cfg, err := Load(strings.NewReader(`{"heartbeat":"90s","limiter":"memory"}`), DefaultEdge())
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Heartbeat.D() != 90*time.Second || cfg.Limiter != "memory" {
		t.Fatalf("%+v", cfg)
	}
	if cfg.SessionIdle != DefaultEdge().SessionIdle {
		t.Fatal("unset fields must keep their defaults")
	}
}

package config

import (
	"testing"
	"time"
)

func env(m map[string]string) func(string) string {
	return func(k string) string { return m[k] }
}

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Storage.Sessions.TTL != 12*time.Hour {
		t.Errorf("session TTL = %v", cfg.Storage.Sessions.TTL)
	}
	if cfg.Points.PerDollar != 10 {
		t.Errorf("points per dollar = %d", cfg.Points.PerDollar)
	}
}

func TestLoadOverridesAndErrors(t *testing.T) {
	cfg, err := Load(env(map[string]string{"SESSION_TTL": "30m", "QUEUE_CONCURRENCY": "2"}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Storage.Sessions.TTL != 30*time.Minute || cfg.Queue.Concurrency != 2 {
		t.Errorf("overrides not applied: %+v", cfg)
	}
	if _, err := Load(env(map[string]string{"SESSION_TTL": "soon"})); err == nil {
		t.Error("expected parse error")
	}
	if _, err := Load(env(map[string]string{"CARD_CODE_LENGTH": "4"})); err == nil {
		t.Error("expected range error")
	}
}

package config

import (
	"testing"
	"time"
)

func TestDefaultsAndOverrides(t *testing.T) {
	env := map[string]string{"BEACON_SESSION_TTL": "2h", "BEACON_PUSH_PARALLEL": "4"}
	cfg, err := LoadFrom(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Storage.Sessions.TTL != 2*time.Hour || cfg.Push.Parallelism != 4 {
		t.Fatalf("overrides not applied: %+v", cfg.Storage.Sessions)
	}
	if cfg.HTTP.Addr != ":8080" || cfg.Storage.Receipts.MaxPages != 10 {
		t.Fatalf("defaults not applied: %+v %+v", cfg.HTTP, cfg.Storage.Receipts)
	}
	if _, err := LoadFrom(func(k string) string { return map[string]string{"BEACON_DEVICE_TTL": "soon"}[k] }); err == nil {
		t.Fatal("expected a parse error")
	}
}

package config

import (
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestLoadPrecedence(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "relay.json")
	body := `{"account_id":"acct","namespaces":{"main":"ns1"},"session_ttl":"48h","preview_ttl":"2h"}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("RELAY_PREVIEW_TTL", "3h")
	cfg, err := Load(path, []string{"-session-ttl", "72h"})
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SessionTTL.Duration != 72*time.Hour || cfg.PreviewTTL.Duration != 3*time.Hour {
		t.Fatalf("session %v preview %v", cfg.SessionTTL, cfg.PreviewTTL)
	}
	if cfg.Namespaces.Cache != "ns1" {
		t.Fatalf("cache namespace = %q", cfg.Namespaces.Cache)
	}
}

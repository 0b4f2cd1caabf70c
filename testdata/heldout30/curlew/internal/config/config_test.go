package config

import (
	"testing"
	"time"
)

func TestLoadEmbeddedDefaults(t *testing.T) {
	t.Setenv("CF_ACCOUNT_ID", "acct")
	t.Setenv("CF_API_TOKEN", "token")
	cfg, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Sessions.MagicLink.Duration != 15*time.Minute || cfg.Geocode.CacheTTL.Duration != 720*time.Hour {
		t.Fatalf("unexpected durations: %+v", cfg)
	}
}

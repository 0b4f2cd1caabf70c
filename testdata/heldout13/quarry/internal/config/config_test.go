package config

import (
	"errors"
	"testing"
	"time"
)

func TestLoadFromReportsEveryMissingVar(t *testing.T) {
	_, err := LoadFrom(func(string) string { return "" })
	var missing *ErrMissing
	if !errors.As(err, &missing) {
		t.Fatalf("err = %v", err)
	}
}

func TestLoadFromDefaults(t *testing.T) {
	env := map[string]string{
		"QUARRY_CF_ACCOUNT_ID": "acc", "QUARRY_CF_API_TOKEN": "tok",
		"QUARRY_KV_BUILDS": "b", "QUARRY_KV_ARTIFACTS": "a", "QUARRY_KV_AUTH": "u", "QUARRY_KV_CACHE": "c",
		"QUARRY_RATE_WINDOW": "1m",
	}
	cfg, err := LoadFrom(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Limits.RateWindow != time.Minute || cfg.Namespaces.Legacy != "b" || len(cfg.JanitorJobs) != 3 {
		t.Fatalf("unexpected config %+v", cfg)
	}
}

package config

import (
	"errors"
	"testing"
	"time"
)

func env(m map[string]string) func(string) (string, bool) {
	return func(k string) (string, bool) { v, ok := m[k]; return v, ok }
}

func TestLoadFrom(t *testing.T) {
	base := map[string]string{
		"HARBOR_ACCOUNT_ID": "acc", "HARBOR_API_TOKEN": "tok", "HARBOR_KV_MAIN": "m",
		"HARBOR_KV_SESSIONS": "s", "HARBOR_KV_CACHE": "c", "HARBOR_KV_LEGACY": "l",
		"HARBOR_SESSION_TTL": "8h",
	}
	c, err := LoadFrom(env(base))
	if err != nil {
		t.Fatal(err)
	}
	if c.SessionTTL != 8*time.Hour || c.RateWindow != time.Minute {
		t.Fatalf("got %+v", c)
	}
	delete(base, "HARBOR_KV_CACHE")
	_, err = LoadFrom(env(base))
	var missing *MissingError
	if !errors.As(err, &missing) || len(missing.Vars) != 1 {
		t.Fatalf("got %v", err)
	}
}

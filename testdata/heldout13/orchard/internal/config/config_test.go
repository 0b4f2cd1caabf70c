package config

import (
	"errors"
	"testing"
	"time"
)

func env(m map[string]string) Getenv { return func(k string) string { return m[k] } }

func TestLoadDefaults(t *testing.T) {
	cfg, err := Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.SessionIdle != 12*time.Hour || cfg.MaxPages != 20 {
		t.Fatalf("cfg = %+v", cfg)
	}
	if cfg.Policies.Get("sessions").Prefix != "sess:" {
		t.Fatal("sessions policy")
	}
}

func TestLoadReportsEveryField(t *testing.T) {
	_, err := Load(env(map[string]string{"SESSION_IDLE": "soon", "RATE_LIMIT": "many"}))
	var fe *FieldError
	if !errors.As(err, &fe) {
		t.Fatalf("err = %v", err)
	}
	if n := len(err.(interface{ Unwrap() []error }).Unwrap()); n != 2 {
		t.Fatalf("%d errors, want 2", n)
	}
}

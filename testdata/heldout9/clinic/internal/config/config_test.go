package config

import (
	"errors"
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	t.Setenv("CF_ACCOUNT_ID", "acct")
	t.Setenv("CF_API_TOKEN", "tok")
	t.Setenv("SESSION_TTL", "90m")
	c, err := Load()
	if err != nil {
		t.Fatal(err)
	}
	if c.Sessions.TTL != 90*time.Minute {
		t.Fatalf("session ttl = %v", c.Sessions.TTL)
	}
	if c.Sessions.RefreshTTL != 30*24*time.Hour {
		t.Fatalf("refresh ttl default = %v", c.Sessions.RefreshTTL)
	}
}

func TestLoadMissingAccount(t *testing.T) {
	t.Setenv("CF_ACCOUNT_ID", "")
	if _, err := Load(); !errors.Is(err, ErrMissing) {
		t.Fatalf("err = %v, want ErrMissing", err)
	}
}

func TestLoadBadDuration(t *testing.T) {
	t.Setenv("CF_ACCOUNT_ID", "acct")
	t.Setenv("CF_API_TOKEN", "tok")
	t.Setenv("REFRESH_TTL", "forever")
	if _, err := Load(); err == nil {
		t.Fatal("expected a parse error")
	}
}

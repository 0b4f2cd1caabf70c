package config

import (
	"testing"
	"time"
)

func TestLoad(t *testing.T) {
	env := map[string]string{
		"JUNIPER_STORE_BACKEND": "memory",
		"JUNIPER_TTL_HOLD":      "10m",
		"JUNIPER_EXPERIMENTS":   "widget-v2, deposit-copy",
	}
	c, err := Load(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if c.TTL.Hold != 10*time.Minute || len(c.Experiments) != 2 || c.RateLimit.Max != 600 {
		t.Fatalf("config = %+v", c)
	}
	env["JUNIPER_TTL_HOLD"] = "soon"
	if _, err := Load(func(k string) string { return env[k] }); err == nil {
		t.Fatal("bad duration accepted")
	}
}

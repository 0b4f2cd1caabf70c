package config

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
	"time"
)

func TestDuration(t *testing.T) {
	for in, want := range map[string]time.Duration{`"90s"`: 90 * time.Second, `"12h"`: 12 * time.Hour, `300`: 5 * time.Minute, `1.5`: 1500 * time.Millisecond} {
		var d Duration
		if err := json.Unmarshal([]byte(in), &d); err != nil || d.Std() != want {
			t.Errorf("%s: got %v, %v; want %v", in, d.Std(), err, want)
		}
	}
}

func TestLoad(t *testing.T) {
	path := filepath.Join(t.TempDir(), "estuary.json")
	body := `{"cloudflare":{"accountID":"acc","namespaces":{"Config":"c1"}},"session":{"ttl":"2h","cookie":""},"maint":{"pageSize":5000}}`
	if err := os.WriteFile(path, []byte(body), 0o600); err != nil {
		t.Fatal(err)
	}
	t.Setenv("CLOUDFLARE_API_TOKEN", "tok")
	c, err := Load(path)
	if err != nil {
		t.Fatal(err)
	}
	if c.Session.TTL.Std() != 2*time.Hour || c.Session.Cookie != "estuary_sid" || c.Maint.PageSize != 1000 {
		t.Fatalf("defaults not merged: %+v %+v", c.Session, c.Maint)
	}
	if c.Keys.Limits != "acct/%s/limits" || c.Legacy.APIToken != "tok" {
		t.Fatalf("embedded defaults or env not applied: %q %q", c.Keys.Limits, c.Legacy.APIToken)
	}
	if _, err := Load(""); err == nil {
		t.Fatal("Load without account ID succeeded")
	}
}

package config

import (
	"strings"
	"testing"
	"time"
)

func TestLoadFrom(t *testing.T) {
	env := map[string]string{
		"CF_ACCOUNT_ID":          "acct",
		"ATLAS_SESSION_IDLE_TTL": "45m",
		"ATLAS_LIST_PAGE_SIZE":   "500",
	}
	cfg, err := LoadFrom(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Storage.Sessions.IdleTTL != 45*time.Minute || cfg.Storage.Sessions.TTL != 12*time.Hour {
		t.Fatalf("sessions: %+v", cfg.Storage.Sessions)
	}
	if cfg.Storage.ListPageSize != 500 || cfg.Storage.MaxListPages != 50 {
		t.Fatalf("paging: %d/%d", cfg.Storage.ListPageSize, cfg.Storage.MaxListPages)
	}
}

func TestLoadFromRejectsBadValues(t *testing.T) {
	env := map[string]string{"ATLAS_LIST_PAGE_SIZE": "5000", "ATLAS_PREVIEW_TTL": "soon"}
	_, err := LoadFrom(func(k string) string { return env[k] })
	if err == nil {
		t.Fatal("want error")
	}
	for _, want := range []string{"CF_ACCOUNT_ID", "ATLAS_LIST_PAGE_SIZE", "ATLAS_PREVIEW_TTL"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error %q does not mention %s", err, want)
		}
	}
}

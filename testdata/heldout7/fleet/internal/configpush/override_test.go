package configpush_test

import (
	"context"
	"encoding/json"
	"testing"

	"example.com/fleet/internal/configpush"
	"example.com/fleet/internal/store/memstore"
)

func TestApplyOverrideMerges(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	base, _ := json.Marshal(configpush.DeviceConfig{Version: "v7", LogLevel: "info", Overrides: map[string]string{"led": "off"}})
	if err := s.Put(ctx, "config:dev-1", base); err != nil {
		t.Fatal(err)
	}
	deps := configpush.OverrideDeps{Load: s.Get, Save: s.Put}
	if err := deps.ApplyOverride(ctx, "dev-1", map[string]string{"log_level": "debug"}); err != nil {
		t.Fatal(err)
	}
	raw, err := s.Get(ctx, "config:dev-1")
	if err != nil {
		t.Fatal(err)
	}
	var got configpush.DeviceConfig
	if err := json.Unmarshal(raw, &got); err != nil {
		t.Fatal(err)
	}
	if got.Version != "v7" || got.Overrides["led"] != "off" || got.Overrides["log_level"] != "debug" {
		t.Fatalf("merged config = %+v", got)
	}
}

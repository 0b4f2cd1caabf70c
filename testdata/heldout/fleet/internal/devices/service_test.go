package devices

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"slices"
	"testing"
	"time"

	"example.com/fleet/internal/storage/memstore"
)

type fakeBridge struct {
	calls  int
	shadow Shadow
}

func (f *fakeBridge) FetchShadow(_ context.Context, id string) (Shadow, error) {
	f.calls++
	s := f.shadow
	s.DeviceID = id
	return s, nil
}

func newTestService(t *testing.T) (*Service, *memstore.Store, *fakeBridge) {
	t.Helper()
	mem := memstore.New()
	br := &fakeBridge{shadow: Shadow{Reported: map[string]any{"temp": 21.5}, Version: 7}}
	svc := NewService(Deps{
		Registry: mem,
		Presence: mem,
		Commands: mem,
		Upstream: br,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}, Config{ShadowTTL: time.Minute})
	n := 0
	svc.newID = func() string { n++; return "dev-" + string(rune('a'+n-1)) }
	return svc, mem, br
}

func TestRegisterRejectsDuplicateSerial(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestService(t)

	if _, err := svc.Register(ctx, RegisterRequest{Serial: "sn-001", Owner: "acme"}); err != nil {
		t.Fatalf("first register: %v", err)
	}
	_, err := svc.Register(ctx, RegisterRequest{Serial: " SN-001 ", Owner: "other"})
	if !errors.Is(err, ErrSerialTaken) {
		t.Fatalf("second register: got %v, want ErrSerialTaken", err)
	}
}

func TestAddTagsDeduplicates(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestService(t)
	d, err := svc.Register(ctx, RegisterRequest{Serial: "sn-002", Owner: "acme"})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.AddTags(ctx, d.ID, "Lab", "lab", "floor-3"); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Get(ctx, d.ID)
	if err != nil {
		t.Fatal(err)
	}
	if want := []string{"lab", "floor-3"}; !slices.Equal(got.Tags, want) {
		t.Fatalf("tags = %v, want %v", got.Tags, want)
	}
}

func TestPatchConfigRemovesEmptyValues(t *testing.T) {
	ctx := context.Background()
	svc, _, _ := newTestService(t)
	d, _ := svc.Register(ctx, RegisterRequest{Serial: "sn-003", Owner: "acme"})
	if _, err := svc.PatchConfig(ctx, d.ID, map[string]string{"interval": "30s", "mode": "eco"}); err != nil {
		t.Fatal(err)
	}
	got, err := svc.PatchConfig(ctx, d.ID, map[string]string{"mode": ""})
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := got.Config["mode"]; ok || got.Config["interval"] != "30s" {
		t.Fatalf("config = %v", got.Config)
	}
}

func TestHeartbeatExpires(t *testing.T) {
	ctx := context.Background()
	svc, mem, _ := newTestService(t)
	now := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	mem.WithClock(func() time.Time { return now })
	svc.now = func() time.Time { return now }

	if err := svc.Heartbeat(ctx, "dev-x", "10.0.0.1", Heartbeat{Firmware: "2.4.1"}); err != nil {
		t.Fatal(err)
	}
	if _, ok, _ := svc.Online(ctx, "dev-x"); !ok {
		t.Fatal("device should be online right after a heartbeat")
	}
	now = now.Add(10 * time.Minute)
	if _, ok, _ := svc.Online(ctx, "dev-x"); ok {
		t.Fatal("device should be offline after ten silent minutes")
	}
}

func TestShadowIsReadThrough(t *testing.T) {
	ctx := context.Background()
	svc, mem, br := newTestService(t)
	// Seed an unrelated key to make sure lookups use the shadow prefix.
	_ = mem.Set(ctx, "shadow-index", []byte("[]"), 0)

	for range 3 {
		if _, err := svc.GetShadow(ctx, "dev-y"); err != nil {
			t.Fatal(err)
		}
	}
	if br.calls != 1 {
		t.Fatalf("bridge called %d times, want 1", br.calls)
	}
}

func TestEnqueueCommandRejectsPastDeadline(t *testing.T) {
	svc, _, _ := newTestService(t)
	err := svc.EnqueueCommand(context.Background(), Command{DeviceID: "d", Name: "reboot", Deadline: time.Now().Add(-time.Second)})
	if !errors.Is(err, ErrInvalid) {
		t.Fatalf("got %v, want ErrInvalid", err)
	}
}

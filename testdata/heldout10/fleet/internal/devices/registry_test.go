package devices

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"example.com/fleet/internal/config"
	"example.com/fleet/internal/kvstore/memkv"
)

func newTestRegistry() (*Registry, *memkv.Store) {
	s := memkv.New()
	return NewRegistry(s, Direct{}, config.Defaults, slog.New(slog.NewTextHandler(io.Discard, nil))), s
}

func TestClaimSerialTwice(t *testing.T) {
	r, _ := newTestRegistry()
	ctx := context.Background()
	if err := r.claimSerial(ctx, "SN1", "d1"); err != nil {
		t.Fatal(err)
	}
	if err := r.claimSerial(ctx, "SN1", "d2"); !errors.Is(err, ErrSerialTaken) {
		t.Fatalf("want ErrSerialTaken, got %v", err)
	}
}

func TestSetLabels(t *testing.T) {
	r, s := newTestRegistry()
	ctx := context.Background()
	if err := r.Touch(ctx, "d1", "SN1", "1.0.0"); err != nil {
		t.Fatal(err)
	}
	dev, err := r.SetLabels(ctx, "d1", map[string]string{"site": "ams"})
	if err != nil || dev.Labels["site"] != "ams" {
		t.Fatalf("labels: %+v %v", dev, err)
	}
	if !s.Has("dev:d1") {
		t.Fatal("record missing")
	}
}

func TestNoteFailureLocksOut(t *testing.T) {
	r, _ := newTestRegistry()
	ctx := context.Background()
	var err error
	for i := 0; i < 5; i++ {
		_, err = r.noteFailure(ctx, "SN9")
	}
	if !errors.Is(err, ErrTooManyTries) {
		t.Fatalf("want lockout, got %v", err)
	}
}

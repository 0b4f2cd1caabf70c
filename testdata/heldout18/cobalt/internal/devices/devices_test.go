package devices

import (
	"context"
	"errors"
	"testing"

	"example.com/cobalt/internal/logging"
	"example.com/cobalt/internal/storage/memstore"
)

func newTestService() *Service {
	return NewService(memstore.New(), logging.New(testWriter{}, "error", false))
}

type testWriter struct{}

func (testWriter) Write(p []byte) (int, error) { return len(p), nil }

func TestRegisterRejectsDuplicateSerial(t *testing.T) {
	ctx := context.Background()
	s := newTestService()
	req := RegisterRequest{Serial: "CB12345678", Model: "th-100", Owner: "u1"}
	if _, err := s.Register(ctx, req); err != nil {
		t.Fatalf("first register: %v", err)
	}
	if _, err := s.Register(ctx, req); !errors.Is(err, ErrSerialTaken) {
		t.Fatalf("second register: got %v, want ErrSerialTaken", err)
	}
}

func TestRetireHidesDevice(t *testing.T) {
	ctx := context.Background()
	s := newTestService()
	d, err := s.Register(ctx, RegisterRequest{Serial: "CB87654321", Model: "th-100", Owner: "u1"})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Retire(ctx, d.ID, "ops"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, d.ID); !errors.Is(err, ErrRetired) {
		t.Fatalf("get after retire: got %v, want ErrRetired", err)
	}
	items, _, err := s.List(ctx, "", 10)
	if err != nil {
		t.Fatal(err)
	}
	if len(items) != 0 {
		t.Fatalf("retired device listed: %+v", items)
	}
}

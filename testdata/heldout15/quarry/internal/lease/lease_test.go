package lease

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/quarry/internal/storage/memstore"
)

func TestAcquireRelease(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	a := NewManager(st, "lease/%s")
	b := NewManager(st, "lease/%s")
	release, err := a.Acquire(ctx, "relay", 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := b.Acquire(ctx, "relay", 2*time.Minute); !errors.Is(err, ErrHeld) {
		t.Fatalf("want ErrHeld, got %v", err)
	}
	release()
	release()
	rb, err := b.Acquire(ctx, "relay", 2*time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	defer rb()
	l, ok, _ := a.read(ctx, "lease/relay")
	if !ok || l.Holder != b.Holder() {
		t.Fatalf("inspect %+v %v", l, ok)
	}
}

package tenant

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/beacon/internal/kvstore/memkv"
)

func TestReadThrough(t *testing.T) {
	ctx := context.Background()
	loads := 0
	c := &Cache{Store: memkv.New(), TTL: time.Minute, OnMiss: func(_ context.Context, id string) (Settings, error) {
		loads++
		return Settings{TenantID: id, Name: "Acme"}, nil
	}}
	for range 3 {
		s, err := c.Get(ctx, "t1")
		if err != nil || s.Name != "Acme" {
			t.Fatalf("Get = %+v, %v", s, err)
		}
	}
	if loads != 1 {
		t.Fatalf("control plane called %d times, want 1", loads)
	}
}

func TestClaimBundle(t *testing.T) {
	ctx := context.Background()
	c := &Cache{Store: memkv.New()}
	if err := c.ClaimBundle(ctx, "t1", "com.acme.app"); err != nil {
		t.Fatal(err)
	}
	if err := c.ClaimBundle(ctx, "t1", "com.acme.app"); err != nil {
		t.Fatalf("re-claim by owner: %v", err)
	}
	if err := c.ClaimBundle(ctx, "t2", "com.acme.app"); !errors.Is(err, ErrBundleTaken) {
		t.Fatalf("claim by other tenant err = %v", err)
	}
}

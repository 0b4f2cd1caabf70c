package memstore_test

import (
	"context"
	"testing"
	"time"

	"example.com/cinder/internal/clock"
	"example.com/cinder/internal/storage"
	"example.com/cinder/internal/storage/memstore"
)

func TestPutGetExpire(t *testing.T) {
	clk := clock.NewManual(time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC))
	s := memstore.New(clk)
	ctx := context.Background()
	if err := s.Put(ctx, "a", []byte("1"), storage.WithTTL(2*time.Minute)); err != nil {
		t.Fatal(err)
	}
	if b, err := s.Get(ctx, "a"); err != nil || string(b) != "1" {
		t.Fatalf("get = %q, %v", b, err)
	}
	clk.Advance(3 * time.Minute)
	if _, err := s.Get(ctx, "a"); !storage.IsNotFound(err) {
		t.Fatalf("expected not found after expiry, got %v", err)
	}
}

func TestListPagesAndTenantViews(t *testing.T) {
	s := memstore.New(nil)
	ctx := context.Background()
	acme := s.ForTenant("acme")
	for _, k := range []string{"x:1", "x:2", "x:3"} {
		if err := acme.Put(ctx, k, []byte(k)); err != nil {
			t.Fatal(err)
		}
	}
	_ = s.Put(ctx, "x:root", []byte("r"))

	var names []string
	err := storage.Walk(ctx, acme, "x:", 2, 10, func(k storage.KeyInfo) error {
		names = append(names, k.Name)
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if len(names) != 3 || names[0] != "x:1" {
		t.Fatalf("names = %v", names)
	}
}

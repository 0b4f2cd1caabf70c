package cart

import (
	"context"
	"testing"

	"example.com/storefront/internal/config"
	"example.com/storefront/internal/kvstore/memkv"
)

func TestAddMergesLines(t *testing.T) {
	ctx := context.Background()
	svc := NewService(memkv.New(), config.Default().Cart)
	c, err := svc.Create(ctx, "")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Add(ctx, c.ID, "TSHIRT-M", 1, 1500); err != nil {
		t.Fatal(err)
	}
	got, err := svc.Add(ctx, c.ID, "TSHIRT-M", 2, 1500)
	if err != nil {
		t.Fatal(err)
	}
	if len(got.Lines) != 1 || got.Lines[0].Qty != 3 || got.Total() != 4500 {
		t.Fatalf("unexpected cart %+v", got)
	}
}

func TestExpiredCartIsEmpty(t *testing.T) {
	svc := NewService(memkv.New(), config.Default().Cart)
	c, err := svc.Get(context.Background(), "gone")
	if err != nil || len(c.Lines) != 0 || c.ID != "gone" {
		t.Fatalf("got %+v, %v", c, err)
	}
}

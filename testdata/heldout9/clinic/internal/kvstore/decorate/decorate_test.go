package decorate

import (
	"context"
	"testing"
	"time"

	"example.com/clinic/internal/kvstore/memkv"
)

func TestCachingInvalidatesOnPut(t *testing.T) {
	ctx := context.Background()
	inner := memkv.New()
	c := NewCaching(NewMetrics(inner), time.Minute)
	_ = c.Put(ctx, "k", []byte("v1"))
	if v, _ := c.Get(ctx, "k"); string(v) != "v1" {
		t.Fatalf("got %q", v)
	}
	_ = inner.Put(ctx, "k", []byte("behind-our-back"))
	if v, _ := c.Get(ctx, "k"); string(v) != "v1" {
		t.Fatalf("expected cached v1, got %q", v)
	}
	_ = c.Put(ctx, "k", []byte("v2"))
	if v, _ := c.Get(ctx, "k"); string(v) != "v2" {
		t.Fatalf("got %q after put", v)
	}
}

package catalog

import (
	"context"
	"testing"
	"time"

	"example.com/orchard/internal/config"
	"example.com/orchard/internal/ids"
	"example.com/orchard/internal/kvstore/memkv"
)

type fakeSource struct {
	calls    int
	products map[ids.SKU]*Product
}

func (f *fakeSource) Product(_ context.Context, sku ids.SKU) (*Product, error) {
	f.calls++
	if p, ok := f.products[ids.SKU(sku.String())]; ok {
		return p, nil
	}
	return nil, ErrNoSuchProduct
}

func (f *fakeSource) Featured(context.Context) ([]ids.SKU, error) { return nil, nil }

func TestReadThrough(t *testing.T) {
	ctx := context.Background()
	src := &fakeSource{products: map[ids.SKU]*Product{"APL-1": {SKU: "APL-1", Name: "Honeycrisp", PriceCents: 450}}}
	kv := memkv.New()
	cfg := config.Catalog{CacheTTL: config.Duration(time.Hour), LocalTTL: config.Duration(time.Minute), RefreshAhead: config.Duration(time.Minute)}

	s := NewService(kv, src, cfg)
	p, err := s.Get(ctx, "apl-1")
	if err != nil || p.Name != "Honeycrisp" {
		t.Fatalf("Get = %+v, %v", p, err)
	}
	// A second process has an empty local cache but should hit KV.
	s2 := NewService(kv, src, cfg)
	if _, err := s2.Get(ctx, "APL-1"); err != nil {
		t.Fatal(err)
	}
	if src.calls != 1 {
		t.Fatalf("source called %d times, want 1", src.calls)
	}
	if _, err := s.Get(ctx, "PEAR-9"); !IsUnknown(err) {
		t.Fatalf("unknown sku: %v", err)
	}
	if _, err := s2.Get(ctx, "PEAR-9"); !IsUnknown(err) || src.calls != 2 {
		t.Fatalf("cached miss: err=%v calls=%d", err, src.calls)
	}
}

func TestAddTagDeduplicates(t *testing.T) {
	ctx := context.Background()
	s := NewService(memkv.New(), &fakeSource{}, config.Catalog{})
	for _, tag := range []string{"Organic", "organic ", "heirloom"} {
		if _, err := s.AddTag(ctx, "APL-1", tag); err != nil {
			t.Fatal(err)
		}
	}
	tags, _ := s.AddTag(ctx, "APL-1", "heirloom")
	if len(tags) != 2 {
		t.Fatalf("tags = %v", tags)
	}
}

package fxrates

import (
	"context"
	"encoding/json"
	"log/slog"
	"testing"
	"time"

	"example.com/otter/internal/kvport"
	"example.com/otter/internal/kvport/memkv"
)

// fakeStore adds the metadata, bulk and raw reads to the memory store.
type fakeStore struct{ *memkv.Store }

func (f fakeStore) GetWithMeta(ctx context.Context, k string) ([]byte, json.RawMessage, error) {
	v, err := f.Get(ctx, k)
	return v, nil, err
}

func (f fakeStore) GetMany(ctx context.Context, keys []string) (map[string][]byte, error) {
	out := map[string][]byte{}
	for _, k := range keys {
		if v, err := f.Get(ctx, k); err == nil {
			out[k] = v
		}
	}
	return out, nil
}

func (f fakeStore) Raw(ctx context.Context, k string) ([]byte, error) { return f.Get(ctx, k) }

type fakeProvider struct{ calls int }

func (p *fakeProvider) Rates(context.Context, string, time.Time) (map[string]float64, error) {
	p.calls++
	return map[string]float64{"USD": 1.1, "GBP": 0.85}, nil
}

func TestRateIsCached(t *testing.T) {
	ctx := context.Background()
	p := &fakeProvider{}
	c := NewCache(fakeStore{memkv.New()}, p, []string{"EUR"}, slog.Default())
	day := time.Date(2024, 3, 1, 0, 0, 0, 0, time.UTC)
	for range 3 {
		if r, err := c.Rate(ctx, "EUR", "USD", day); err != nil || r != 1.1 {
			t.Fatalf("rate = %v, %v", r, err)
		}
	}
	if p.calls != 1 {
		t.Fatalf("provider called %d times", p.calls)
	}
	if _, err := c.store.Get(ctx, "latest:EUR"); !kvport.IsNotFound(err) {
		t.Fatalf("latest written by Rate: %v", err)
	}
}

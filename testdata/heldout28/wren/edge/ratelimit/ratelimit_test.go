//go:build js && wasm

package ratelimit

import (
	"context"
	"net/http/httptest"
	"testing"
	"time"
)

type fakeCounter struct{ m map[string][]byte }

func (f *fakeCounter) Get(_ context.Context, k string) ([]byte, bool, error) {
	v, ok := f.m[k]
	return v, ok, nil
}

func (f *fakeCounter) PutFor(_ context.Context, k string, v []byte, _ time.Duration) error {
	f.m[k] = v
	return nil
}

func TestAllow(t *testing.T) {
	f := &fakeCounter{m: map[string][]byte{}}
	for i := 0; i < 3; i++ {
		ok, err := Allow(context.Background(), f, "192.0.2.1", 3)
		if err != nil || !ok {
			t.Fatalf("request %d rejected: %v", i, err)
		}
	}
	if ok, _ := Allow(context.Background(), f, "192.0.2.1", 3); ok {
		t.Fatal("fourth request allowed")
	}
}

func TestClientIP(t *testing.T) {
	r := httptest.NewRequest("GET", "/", nil)
	r.Header.Set("CF-Connecting-IP", "198.51.100.7")
	if got := ClientIP(r); got != "198.51.100.7" {
		t.Fatalf("got %q", got)
	}
}

package routing

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/authgw/internal/kvfake"
)

func TestResolveLongestPrefix(t *testing.T) {
	ctx := context.Background()
	kv := kvfake.New()
	r := NewResolver(kv, Options{TableTTL: time.Minute, EdgeCacheTTL: time.Minute})
	a := NewAdmin(kv, r)
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	must(a.SetOrigin(ctx, "acme", "orders", "https://orders.internal"))
	must(a.SetOrigin(ctx, "acme", "legacy", "https://legacy.internal"))
	must(a.PutRoute(ctx, "acme", "/v1/", "legacy"))
	must(a.PutRoute(ctx, "acme", "/v1/orders", "orders"))

	u, rt, err := r.Resolve(ctx, "acme", "/v1/orders/42")
	if err != nil || u.Host != "orders.internal" || rt.Alias != "orders" {
		t.Fatalf("got %v %+v %v", u, rt, err)
	}
	u, _, err = r.Resolve(ctx, "acme", "/v1/users")
	if err != nil || u.Host != "legacy.internal" {
		t.Fatalf("got %v %v", u, err)
	}
	if _, _, err := r.Resolve(ctx, "acme", "/v2"); !errors.Is(err, ErrNoRoute) {
		t.Fatalf("want no route, got %v", err)
	}
	if _, _, err := r.Resolve(ctx, "other", "/v1/orders"); !errors.Is(err, ErrNoRoute) {
		t.Fatalf("tenant isolation: %v", err)
	}
}

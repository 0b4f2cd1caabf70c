package storemw

import (
	"context"
	"testing"

	"example.com/cobalt/internal/reqctx"
	"example.com/cobalt/internal/storage"
	"example.com/cobalt/internal/storage/memstore"
)

func TestNamespacingIsolatesTenants(t *testing.T) {
	mem := memstore.New()
	st := Chain(mem, Namespacing(func(ctx context.Context) string { return "t:" + reqctx.Tenant(ctx) + ":" }))
	a := reqctx.WithTenant(context.Background(), "a")
	b := reqctx.WithTenant(context.Background(), "b")
	if err := st.Put(a, "device:1", []byte("x"), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := st.Get(b, "device:1"); err != storage.ErrNotFound {
		t.Fatalf("tenant b sees tenant a's key: %v", err)
	}
	page, err := st.List(a, storage.ListOptions{Prefix: "device:"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Entries) != 1 || page.Entries[0].Key != "device:1" {
		t.Fatalf("unexpected page %+v", page)
	}
	if _, err := mem.Get(context.Background(), "t:a:device:1"); err != nil {
		t.Fatalf("raw key missing: %v", err)
	}
}

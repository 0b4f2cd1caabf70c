package tenant_test

import (
	"context"
	"testing"

	"example.com/meadow/internal/storage"
	"example.com/meadow/internal/storage/memstore"
	"example.com/meadow/internal/tenant"
)

func TestScopeIsolatesTenants(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	a := tenant.Scope(mem, "acme")
	b := tenant.Scope(mem, "globex")

	if err := a.Put(ctx, "course/intro", []byte("A"), storage.PutOptions{}); err != nil {
		t.Fatal(err)
	}
	if _, err := b.Get(ctx, "course/intro"); !storage.IsNotFound(err) {
		t.Fatalf("globex saw acme's key: %v", err)
	}
	page, err := a.List(ctx, storage.ListQuery{Prefix: "course/"})
	if err != nil {
		t.Fatal(err)
	}
	if len(page.Keys) != 1 || page.Keys[0].Name != "course/intro" {
		t.Fatalf("unexpected listing: %+v", page.Keys)
	}
	if _, err := mem.Get(ctx, "t/acme/course/intro"); err != nil {
		t.Fatalf("raw key missing: %v", err)
	}
}

func TestValidate(t *testing.T) {
	for _, id := range []string{"", "-x", "a/b", "UPPER", "this-tenant-id-is-far-too-long-to-be-accepted"} {
		if tenant.Validate(id) == nil {
			t.Errorf("Validate(%q) accepted", id)
		}
	}
	if err := tenant.Validate("acme-2"); err != nil {
		t.Errorf("Validate(acme-2): %v", err)
	}
}

package tenant_test

import (
	"context"
	"testing"

	"example.com/lantern/internal/config"
	"example.com/lantern/internal/store"
	"example.com/lantern/internal/store/memstore"
	"example.com/lantern/internal/tenant"
)

func TestScopePrefixesAndStrips(t *testing.T) {
	ctx := context.Background()
	m := memstore.New()
	a := tenant.Scope(m, "acme")
	b := tenant.Scope(m, "bolt")
	_ = a.Put(ctx, "event/1", []byte("a"), store.PutOptions{})
	_ = b.Put(ctx, "event/1", []byte("b"), store.PutOptions{})

	got, err := a.Get(ctx, "event/1")
	if err != nil || string(got) != "a" {
		t.Fatalf("got %q, %v", got, err)
	}
	p, err := b.List(ctx, "event/", "", 10)
	if err != nil || len(p.Keys) != 1 || p.Keys[0] != "event/1" {
		t.Fatalf("list = %+v, %v", p, err)
	}
	if err := a.(store.Deleter).Delete(ctx, "event/1"); err != nil {
		t.Fatal(err)
	}
	if _, err := a.Get(ctx, "event/1"); !store.IsNotFound(err) {
		t.Fatalf("after delete: %v", err)
	}
}

func TestLoadSettingsSeeds(t *testing.T) {
	ctx := context.Background()
	st := tenant.Scope(memstore.New(), "acme")
	s, err := tenant.LoadSettings(ctx, st, tenant.Settings{Name: "Acme", Plan: config.PlanFree})
	if err != nil || s.Name != "Acme" {
		t.Fatalf("%+v %v", s, err)
	}
	again, _ := tenant.LoadSettings(ctx, st, tenant.Settings{Name: "Other"})
	if again.Name != "Acme" {
		t.Fatalf("name = %q", again.Name)
	}
}

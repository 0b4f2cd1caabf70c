package tenants

import (
	"context"
	"testing"

	"example.com/pressroom/internal/keys"
	"example.com/pressroom/internal/store/memstore"
)

func TestUpdateKeepsOtherFields(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	s := New(st)
	if err := s.Replace(ctx, Settings{Tenant: "acme", FromName: "Acme News", ReplyTo: "press@acme.test", Timezone: "UTC"}); err != nil {
		t.Fatal(err)
	}
	tz := "Europe/Berlin"
	got, err := s.Update(ctx, "acme", Patch{Timezone: &tz})
	if err != nil {
		t.Fatal(err)
	}
	if got.FromName != "Acme News" || got.Timezone != tz {
		t.Fatalf("got %+v", got)
	}
	if _, ok, _ := st.Get(ctx, keys.Tenant("acme").Settings()); !ok {
		t.Fatal("settings not stored under the shared key layout")
	}
	bad := "Mars/Olympus"
	if _, err := s.Update(ctx, "acme", Patch{Timezone: &bad}); err == nil {
		t.Fatal("want timezone error")
	}
}

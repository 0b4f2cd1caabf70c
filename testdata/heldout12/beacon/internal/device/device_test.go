package device

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/beacon/internal/kvstore/memkv"
)

func TestRegisterAndGet(t *testing.T) {
	ctx := context.Background()
	store := memkv.New()
	svc := NewService(store, 24*time.Hour, time.Minute)

	d, err := svc.Register(ctx, RegisterRequest{TenantID: "t1", Platform: IOS, PushToken: "tok", Verified: true})
	if err != nil {
		t.Fatal(err)
	}
	if d.ID == "" {
		t.Fatal("expected a generated device ID")
	}
	got, err := svc.Get(ctx, "t1", d.ID)
	if err != nil || got.PushToken != "tok" {
		t.Fatalf("Get = %+v, %v", got, err)
	}
	if _, err := svc.Get(ctx, "t1", "missing"); !errors.Is(err, ErrNotFound) {
		t.Fatalf("Get(missing) err = %v, want ErrNotFound", err)
	}
	if _, err := svc.Register(ctx, RegisterRequest{TenantID: "t1", Platform: "pager", PushToken: "x"}); !errors.Is(err, ErrInvalid) {
		t.Fatalf("bad platform err = %v", err)
	}
}

func TestLocaleAndPreferences(t *testing.T) {
	ctx := context.Background()
	svc := NewService(memkv.New(), 24*time.Hour, time.Minute)
	d, _ := svc.Register(ctx, RegisterRequest{TenantID: "t1", DeviceID: "d1", Platform: Android, PushToken: "tok", Verified: true})

	if err := svc.SetLocale(ctx, "t1", d.ID, "de-DE"); err != nil {
		t.Fatal(err)
	}
	got, _ := svc.Get(ctx, "t1", d.ID)
	if got.Locale != "de-DE" {
		t.Fatalf("locale = %q", got.Locale)
	}
	want := Preferences{Marketing: false, QuietFrom: "22:00", QuietTo: "07:00"}
	if err := svc.SetPreferences(ctx, "t1", d.ID, want); err != nil {
		t.Fatal(err)
	}
	p, err := svc.Preferences(ctx, "t1", d.ID)
	if err != nil || p != want {
		t.Fatalf("Preferences = %+v, %v", p, err)
	}
}

func TestLookupAndPurge(t *testing.T) {
	ctx := context.Background()
	store := memkv.New()
	svc := NewService(store, 24*time.Hour, time.Minute)
	for _, id := range []string{"a", "b", "c"} {
		if _, err := svc.Register(ctx, RegisterRequest{TenantID: "t1", DeviceID: id, Platform: Web, PushToken: "tok-" + id, Verified: true}); err != nil {
			t.Fatal(err)
		}
	}
	devs, err := svc.Lookup(ctx, "t1", []string{"a", "zz", "c"})
	if err != nil || len(devs) != 2 {
		t.Fatalf("Lookup = %d devices, %v", len(devs), err)
	}
	n, err := svc.PurgeTenant(ctx, "t1")
	if err != nil || n != 3 || store.Len() != 0 {
		t.Fatalf("PurgeTenant = %d, %v (left %d)", n, err, store.Len())
	}
}

func TestLimiter(t *testing.T) {
	ctx := context.Background()
	l := &Limiter{Store: memkv.New(), Window: time.Minute, Limit: 2}
	for i, want := range []bool{true, true, false} {
		ok, err := l.Allow(ctx, "register", "203.0.113.7")
		if err != nil || ok != want {
			t.Fatalf("call %d: Allow = %v, %v; want %v", i, ok, err, want)
		}
	}
}

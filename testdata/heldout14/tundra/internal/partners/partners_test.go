package partners

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/tundra/internal/entity"
	"example.com/tundra/internal/storage/memkv"
)

func newOnboarding(st *memkv.Store) *Onboarding {
	return &Onboarding{
		Store:    st,
		Profiles: entity.Repo[Profile]{Store: st, Prefix: "partner:"},
		Now:      time.Now,
		Log:      slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

func TestOnboardAndSlugConflict(t *testing.T) {
	ctx := context.Background()
	st := memkv.New()
	o := newOnboarding(st)
	if _, err := o.Execute(ctx, OnboardCommand{PartnerID: "p1", Slug: "acme", Name: "Acme", Plan: "free", WebhookURL: "https://acme.example/hook"}); err != nil {
		t.Fatal(err)
	}
	if _, err := o.Execute(ctx, OnboardCommand{PartnerID: "p2", Slug: "acme", Name: "Other"}); !errors.Is(err, ErrSlugTaken) {
		t.Fatalf("err = %v", err)
	}
	d := &Directory{Store: st, Cache: memkv.New()}
	id, err := d.Resolve(ctx, "acme")
	if err != nil || id != "p1" {
		t.Fatalf("resolve = %q, %v", id, err)
	}
	all, err := d.All(ctx)
	if err != nil || len(all) != 1 || all[0].PartnerID != "p1" {
		t.Fatalf("all = %+v, %v", all, err)
	}
}

func TestUpdateProfileVersion(t *testing.T) {
	ctx := context.Background()
	st := memkv.New()
	o := newOnboarding(st)
	if _, err := o.Execute(ctx, OnboardCommand{PartnerID: "p1", Slug: "acme", Name: "Acme"}); err != nil {
		t.Fatal(err)
	}
	u := UpdateProfile{Profiles: o.Profiles, Now: time.Now}
	p, err := u.Execute(ctx, ProfilePatch{ID: "p1", Version: 1, Name: "Acme Inc"})
	if err != nil || p.Version != 2 {
		t.Fatalf("p = %+v, %v", p, err)
	}
	if _, err := u.Execute(ctx, ProfilePatch{ID: "p1", Version: 1, Name: "Late"}); !errors.Is(err, ErrStaleVersion) {
		t.Fatalf("err = %v", err)
	}
}

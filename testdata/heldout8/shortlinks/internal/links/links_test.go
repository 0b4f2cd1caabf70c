package links_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/shortlinks/internal/config"
	"example.com/shortlinks/internal/links"
	"example.com/shortlinks/internal/store/memstore"
)

func newService() (*links.Service, *memstore.Store) {
	st := memstore.New()
	return links.NewService(st, st, config.Default().Redirect), st
}

func TestCreateAndResolve(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService()
	if _, err := svc.Create(ctx, links.CreateInput{Slug: "launch", Target: "https://example.com/a", Owner: "acct_1"}); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Create(ctx, links.CreateInput{Slug: "launch", Target: "https://example.com/b", Owner: "acct_2"}); !errors.Is(err, links.ErrSlugTaken) {
		t.Fatalf("second create: %v", err)
	}
	got, err := svc.Resolve(ctx, "launch")
	if err != nil || got != "https://example.com/a" {
		t.Fatalf("Resolve = %q, %v", got, err)
	}
	owned, _ := svc.Owned(ctx, "acct_1")
	if len(owned) != 1 || owned[0] != "launch" {
		t.Fatalf("Owned = %v", owned)
	}
}

func TestResolveCachesMisses(t *testing.T) {
	ctx := context.Background()
	svc, st := newService()
	if _, err := svc.Resolve(ctx, "nope"); !errors.Is(err, links.ErrNotFound) {
		t.Fatalf("Resolve missing: %v", err)
	}
	if v, ok, _ := st.Get(ctx, "r:nope"); !ok || v != "-" {
		t.Fatalf("miss not cached: %q %v", v, ok)
	}
}

func TestCreateRejectsBadInput(t *testing.T) {
	ctx := context.Background()
	svc, _ := newService()
	cases := []links.CreateInput{
		{Slug: "x", Target: "https://example.com"},
		{Slug: "valid-slug", Target: "ftp://example.com"},
		{Slug: "valid-slug", Target: "https://example.com", ExpiresAt: time.Now().Add(-time.Hour)},
	}
	for _, in := range cases {
		if _, err := svc.Create(ctx, in); err == nil {
			t.Errorf("Create(%+v) succeeded", in)
		}
	}
}

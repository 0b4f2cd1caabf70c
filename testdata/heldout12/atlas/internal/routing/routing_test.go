package routing

import (
	"bytes"
	"context"
	"errors"
	"strings"
	"testing"

	"example.com/atlas/internal/storage/memstore"
)

func TestClaimSlug(t *testing.T) {
	ctx := context.Background()
	svc := New(memstore.New(), 100, 5)
	if err := svc.ClaimSlug(ctx, "Docs", "site-a"); err != nil {
		t.Fatal(err)
	}
	if err := svc.ClaimSlug(ctx, "docs", "site-a"); err != nil {
		t.Fatalf("reclaim by owner: %v", err)
	}
	if err := svc.ClaimSlug(ctx, "docs", "site-b"); !errors.Is(err, ErrSlugTaken) {
		t.Fatalf("got %v, want ErrSlugTaken", err)
	}
}

func TestSetRouteAndExport(t *testing.T) {
	ctx := context.Background()
	svc := New(memstore.New(), 1, 10)
	for _, site := range []string{"a", "b"} {
		if err := svc.SetRoute(ctx, site, "/guide", "build-1"); err != nil {
			t.Fatal(err)
		}
	}
	if err := svc.SetRoute(ctx, "a", "/api", "build-2"); err != nil {
		t.Fatal(err)
	}
	tbl, err := svc.Table(ctx, "a")
	if err != nil {
		t.Fatal(err)
	}
	if tbl.Version != 2 || tbl.Routes["/api"] != "build-2" {
		t.Fatalf("unexpected table %+v", tbl)
	}
	if err := svc.SetRoute(ctx, "a", "api", "x"); err == nil {
		t.Fatal("want error for relative prefix")
	}
	var buf bytes.Buffer
	if err := svc.ExportAll(ctx, &buf); err != nil {
		t.Fatal(err)
	}
	if n := strings.Count(buf.String(), "\n"); n != 2 {
		t.Fatalf("exported %d tables, want 2", n)
	}
}

func TestResolveHostCachesControlPlaneAnswer(t *testing.T) {
	ctx := context.Background()
	svc := New(memstore.New(), 100, 5)
	calls := 0
	svc.OnMiss = func(_ context.Context, host string) (string, error) {
		calls++
		return "site-" + host, nil
	}
	for range 3 {
		id, err := svc.ResolveHost(ctx, "Docs.Example.com.")
		if err != nil {
			t.Fatal(err)
		}
		if id != "site-docs.example.com" {
			t.Fatalf("got %q", id)
		}
	}
	if calls != 1 {
		t.Fatalf("control plane called %d times, want 1", calls)
	}
}

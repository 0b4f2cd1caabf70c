package catalog

import (
	"context"
	"errors"
	"slices"
	"testing"

	"example.com/estuary/internal/kvstore"
	"example.com/estuary/internal/kvstore/memkv"
)

func TestClaimResolve(t *testing.T) {
	ctx := context.Background()
	c := New(memkv.New())
	if err := c.Claim(ctx, "acme-orders", "acme"); err != nil {
		t.Fatal(err)
	}
	if err := c.Claim(ctx, "acme-orders", "globex"); !errors.Is(err, kvstore.ErrExists) {
		t.Fatalf("second claim: %v", err)
	}
	if err := c.Claim(ctx, "No Spaces", "globex"); !errors.Is(err, ErrBadSlug) {
		t.Fatalf("bad slug: %v", err)
	}
	owner, err := c.Resolve(ctx, "acme-orders")
	if err != nil || owner != "acme" {
		t.Fatalf("Resolve = %q, %v", owner, err)
	}
	if _, err := c.Resolve(ctx, "nobody"); !errors.Is(err, ErrUnknownSlug) {
		t.Fatalf("Resolve unknown: %v", err)
	}
	all, err := c.Slugs(ctx)
	if err != nil || all["acme-orders"] != "acme" {
		t.Fatalf("Slugs = %v, %v", all, err)
	}
}

func TestTags(t *testing.T) {
	ctx := context.Background()
	c := New(memkv.New())
	for _, tag := range []string{"retail", "eu", "retail"} {
		if err := c.AddTag(ctx, "acme", tag); err != nil {
			t.Fatal(err)
		}
	}
	got, err := c.Tags(ctx, "acme")
	if err != nil || !slices.Equal(got, []string{"eu", "retail"}) {
		t.Fatalf("Tags = %v, %v", got, err)
	}
}

func TestWebhook(t *testing.T) {
	ctx := context.Background()
	c := New(memkv.New())
	if err := c.SetWebhook(ctx, "acme", "http://insecure.example"); !errors.Is(err, ErrBadWebhook) {
		t.Fatalf("http webhook accepted: %v", err)
	}
	if _, err := c.Webhook(ctx, "acme"); !kvstore.IsNotFound(err) {
		t.Fatalf("missing webhook: %v", err)
	}
	_ = c.SetWebhook(ctx, "acme", "https://hooks.example/estuary")
	if got, err := c.Webhook(ctx, "acme"); err != nil || got != "https://hooks.example/estuary" {
		t.Fatalf("Webhook = %q, %v", got, err)
	}
}

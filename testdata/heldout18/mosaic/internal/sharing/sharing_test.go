package sharing_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"
	"time"

	"example.com/mosaic/internal/domain"
	"example.com/mosaic/internal/sharing"
	"example.com/mosaic/internal/storage/memstore"
)

func TestLinkLifecycle(t *testing.T) {
	ctx := context.Background()
	svc := sharing.NewService(memstore.New(), time.Hour, slog.New(slog.NewTextHandler(io.Discard, nil)))
	link, err := svc.Create(ctx, "owner", "alb_1", 2)
	if err != nil {
		t.Fatal(err)
	}
	for i := 1; i <= 2; i++ {
		got, err := svc.Resolve(ctx, sharing.Token(link.Token))
		if err != nil || got.Views != i {
			t.Fatalf("view %d: %+v, %v", i, got, err)
		}
	}
	if _, err := svc.Resolve(ctx, sharing.Token(link.Token)); !errors.Is(err, domain.ErrExpired) {
		t.Fatalf("exhausted link: %v", err)
	}
	if err := svc.Revoke(ctx, "intruder", sharing.Token(link.Token)); !errors.Is(err, domain.ErrForbidden) {
		t.Fatalf("foreign revoke: %v", err)
	}
	if err := svc.Revoke(ctx, "owner", sharing.Token(link.Token)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Resolve(ctx, sharing.Token(link.Token)); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("revoked link: %v", err)
	}
}

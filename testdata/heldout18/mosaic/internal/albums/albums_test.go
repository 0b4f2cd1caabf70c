package albums_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"testing"

	"example.com/mosaic/internal/albums"
	"example.com/mosaic/internal/domain"
	"example.com/mosaic/internal/storage/memstore"
)

func newService() *albums.Service {
	return albums.NewService(memstore.New(), slog.New(slog.NewTextHandler(io.Discard, nil)))
}

func TestCreateRejectsTakenSlug(t *testing.T) {
	ctx := context.Background()
	svc := newService()
	in := albums.CreateInput{OwnerID: "u1", Slug: "summer-2024", Title: "Summer"}
	if _, err := svc.Create(ctx, in); err != nil {
		t.Fatalf("first create: %v", err)
	}
	if _, err := svc.Create(ctx, in); !errors.Is(err, domain.ErrSlugTaken) {
		t.Fatalf("second create: got %v, want ErrSlugTaken", err)
	}
}

func TestUpdateChecksVersion(t *testing.T) {
	ctx := context.Background()
	svc := newService()
	a, err := svc.Create(ctx, albums.CreateInput{OwnerID: "u1", Slug: "trip", Title: "Trip"})
	if err != nil {
		t.Fatal(err)
	}
	title := "Road trip"
	if _, err := svc.Update(ctx, albums.AlbumID(a.ID), a.Version+1, albums.Patch{Title: &title}); !errors.Is(err, domain.ErrConflict) {
		t.Fatalf("stale version: got %v", err)
	}
	got, err := svc.Update(ctx, albums.AlbumID(a.ID), a.Version, albums.Patch{Title: &title})
	if err != nil || got.Title != title || got.Version != a.Version+1 {
		t.Fatalf("update: %+v, %v", got, err)
	}
}

func TestSoftDeleteHidesAlbum(t *testing.T) {
	ctx := context.Background()
	svc := newService()
	a, err := svc.Create(ctx, albums.CreateInput{OwnerID: "u1", Slug: "old", Title: "Old"})
	if err != nil {
		t.Fatal(err)
	}
	if err := svc.SoftDelete(ctx, "u1", albums.AlbumID(a.ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Get(ctx, albums.AlbumID(a.ID)); !errors.Is(err, domain.ErrNotFound) {
		t.Fatalf("get after delete: %v", err)
	}
}

func TestListForOwnerPages(t *testing.T) {
	ctx := context.Background()
	svc := newService()
	for _, slug := range []string{"a1", "b2", "c3"} {
		if _, err := svc.Create(ctx, albums.CreateInput{OwnerID: "u9", Slug: slug, Title: slug}); err != nil {
			t.Fatal(err)
		}
	}
	page, err := svc.ListForOwner(ctx, "u9", "", 2)
	if err != nil || len(page.IDs) != 2 || page.Done {
		t.Fatalf("first page: %+v, %v", page, err)
	}
	next, err := svc.ListForOwner(ctx, "u9", page.Cursor, 2)
	if err != nil || len(next.IDs) != 1 || !next.Done {
		t.Fatalf("second page: %+v, %v", next, err)
	}
}

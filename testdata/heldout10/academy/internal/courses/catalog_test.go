package courses

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/academy/internal/config"
	"example.com/academy/internal/kvstore/memkv"
)

type fakeSource map[string]Course

func (f fakeSource) CourseByID(_ context.Context, id string) (Course, error) {
	c, ok := f[id]
	if !ok {
		return Course{}, errors.New("no such course")
	}
	return c, nil
}
func (f fakeSource) Popular(context.Context, int) ([]Course, error) { return nil, nil }
func (f fakeSource) InstructorByID(_ context.Context, id string) (Instructor, error) {
	return Instructor{ID: id}, nil
}

func newTestCatalog() (*Catalog, *memkv.Store) {
	s := memkv.New()
	src := fakeSource{"c1": {ID: "c1", Slug: "go", Title: "Go", InstructorID: "i1"}}
	return NewCatalog(s, src, config.Caching{CourseTTL: time.Hour}), s
}

func TestClaimSlug(t *testing.T) {
	ctx := context.Background()
	cat, _ := newTestCatalog()
	if err := cat.ClaimSlug(ctx, "Go-Basics", "c1"); err != nil {
		t.Fatal(err)
	}
	if err := cat.ClaimSlug(ctx, "go-basics", "c1"); err != nil {
		t.Fatalf("re-claim by owner: %v", err)
	}
	if err := cat.ClaimSlug(ctx, "go-basics", "c2"); !errors.Is(err, ErrSlugTaken) {
		t.Fatalf("want ErrSlugTaken, got %v", err)
	}
}

func TestPublishIndexesCourse(t *testing.T) {
	ctx := context.Background()
	cat, s := newTestCatalog()
	if err := cat.Publish(ctx, "c1"); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Get(ctx, "catalog:instructor:i1"); err != nil {
		t.Fatalf("index not written: %v", err)
	}
	if c, err := cat.Course(ctx, "c1"); err != nil || c.Title != "Go" {
		t.Fatalf("course = %+v, %v", c, err)
	}
}

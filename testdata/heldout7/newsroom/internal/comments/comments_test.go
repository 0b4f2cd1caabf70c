package comments_test

import (
	"context"
	"strings"
	"testing"

	"example.com/newsroom/internal/comments"
	"example.com/newsroom/internal/store/memstore"
)

type wordScreen []string

func (w wordScreen) NeedsReview(body string) bool {
	for _, p := range w {
		if strings.Contains(body, p) {
			return true
		}
	}
	return false
}

func TestPostAndModerate(t *testing.T) {
	ctx := context.Background()
	mem := memstore.New()
	svc := comments.New(mem, wordScreen{"casino"})

	ok, err := svc.Post(ctx, comments.Comment{ID: "c1", ArticleID: "a1", Author: "r", Body: "Great piece"})
	if err != nil || ok.Status != comments.Approved {
		t.Fatalf("Post = %+v, %v", ok, err)
	}
	held, err := svc.Post(ctx, comments.Comment{ID: "c2", ArticleID: "a1", Author: "s", Body: "casino bonus here"})
	if err != nil || held.Status != comments.Pending {
		t.Fatalf("Post = %+v, %v", held, err)
	}
	page, cursor, err := svc.PendingPage(ctx, "")
	if err != nil || len(page) != 1 || cursor != "" {
		t.Fatalf("PendingPage = %v %q %v", page, cursor, err)
	}
	if err := svc.Reject(ctx, "c2"); err != nil {
		t.Fatal(err)
	}
	page, _, _ = svc.PendingPage(ctx, "")
	if len(page) != 0 {
		t.Fatalf("queue not empty: %v", page)
	}
}

func TestRecentFillsOnce(t *testing.T) {
	ctx := context.Background()
	svc := comments.New(memstore.New(), wordScreen{})
	loads := 0
	load := func(context.Context) ([]comments.Comment, error) {
		loads++
		return []comments.Comment{{ID: "c1"}}, nil
	}
	for range 3 {
		if _, err := svc.Recent(ctx, "a1", load); err != nil {
			t.Fatal(err)
		}
	}
	if loads != 1 {
		t.Fatalf("loader called %d times", loads)
	}
}

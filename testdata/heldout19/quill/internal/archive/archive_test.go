package archive

import (
	"context"
	"testing"
	"time"

	"example.com/quill/internal/storage/memstore"
)

type origin map[int]Issue

func (o origin) Issue(_ context.Context, _ string, n int) (Issue, error) {
	iss, ok := o[n]
	if !ok {
		return Issue{}, ErrNoIssue
	}
	return iss, nil
}

func TestPublishListAndFill(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	cmd := NewCommands("field-notes", st, st)
	pub := time.Date(2025, 2, 3, 8, 0, 0, 0, time.UTC)
	for n, title := range map[int]string{1: "Hello", 2: "Moss and lichen"} {
		if err := cmd.Publish(ctx, Issue{Tenant: "field-notes", Number: n, Title: title, Published: pub}); err != nil {
			t.Fatal(err)
		}
	}
	src := origin{3: {Tenant: "field-notes", Number: 3, Title: "Late frost", Published: pub}}
	q := NewQueries("field-notes", st, st, src)
	list, err := q.Page(ctx, "")
	if err != nil || len(list.Issues) != 2 || list.Next != "" {
		t.Fatalf("page %+v, %v", list, err)
	}
	if _, err := q.Issue(ctx, 3); err != nil {
		t.Fatal(err)
	}
	hits, err := q.Search(ctx, "frost")
	if err != nil || len(hits) != 1 || hits[0].Number != 3 {
		t.Fatalf("search %+v, %v", hits, err)
	}
}

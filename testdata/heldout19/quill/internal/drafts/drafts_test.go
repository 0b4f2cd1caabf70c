package drafts

import (
	"context"
	"testing"
	"time"

	"example.com/quill/internal/storage/memstore"
)

func TestAutosaveAndList(t *testing.T) {
	ctx := context.Background()
	st := New(memstore.New())
	clock := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
	now = func() time.Time { return clock }
	defer func() { now = time.Now }()

	if _, err := st.Autosave(ctx, "ann", "field-notes", "d1", "Spring issue", "first words"); err != nil {
		t.Fatal(err)
	}
	clock = clock.Add(10 * time.Second)
	if _, err := st.Autosave(ctx, "ann", "field-notes", "d1", "Spring issue", "first words, more"); err != nil {
		t.Fatal(err)
	}
	d, err := st.Load(ctx, "ann", "d1")
	if err != nil {
		t.Fatal(err)
	}
	if d.Body != "first words, more" || !d.Created.Before(d.Saved) {
		t.Fatalf("unexpected draft %+v", d)
	}
	list, next, err := st.List(ctx, "ann", "")
	if err != nil || len(list) != 1 || next != "" || list[0].Title != "Spring issue" {
		t.Fatalf("list %+v next %q err %v", list, next, err)
	}
}

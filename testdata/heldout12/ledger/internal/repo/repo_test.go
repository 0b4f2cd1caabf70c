package repo

import (
	"context"
	"errors"
	"testing"

	"example.com/ledger/internal/storage"
	"example.com/ledger/internal/storage/memstore"
)

type widget struct {
	ID    string `json:"id"`
	Count int    `json:"count"`
}

func (w widget) Key() string { return "widget:" + w.ID }

func TestSaveLoadUpdate(t *testing.T) {
	ctx := context.Background()
	r := New[widget](memstore.New(), func(id string) string { return "widget:" + id })
	if err := r.Save(ctx, widget{ID: "a", Count: 1}); err != nil {
		t.Fatal(err)
	}
	w, err := r.Update(ctx, "a", func(w *widget) error { w.Count = 7; return nil })
	if err != nil || w.Count != 7 {
		t.Fatalf("update: %+v %v", w, err)
	}
	boom := errors.New("boom")
	if _, err := r.Update(ctx, "a", func(*widget) error { return boom }); !errors.Is(err, boom) {
		t.Fatalf("fn error: %v", err)
	}
	if w, _ := r.Load(ctx, "a"); w.Count != 7 {
		t.Fatalf("load: %+v", w)
	}
	if _, err := r.Load(ctx, "missing"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("missing: %v", err)
	}
}

package uow

import (
	"context"
	"io"
	"log/slog"
	"testing"

	"example.com/tamarack/internal/platform/store"
)

type op struct{ kind, key, value string }

// recorder is a store.Store that remembers every write in order.
type recorder struct {
	data map[string]string
	ops  []op
}

func (r *recorder) Get(_ context.Context, key string, _ ...store.GetOption) (string, error) {
	v, ok := r.data[key]
	if !ok {
		return "", store.ErrNotFound
	}
	return v, nil
}

func (r *recorder) Put(_ context.Context, key, value string, _ ...store.PutOption) error {
	r.data[key] = value
	r.ops = append(r.ops, op{"put", key, value})
	return nil
}

func (r *recorder) Delete(_ context.Context, key string) error {
	delete(r.data, key)
	r.ops = append(r.ops, op{"delete", key, ""})
	return nil
}

func (r *recorder) List(context.Context, store.ListOptions) (store.Page, error) {
	return store.Page{Complete: true}, nil
}

func TestCommitCoalescesPuts(t *testing.T) {
	rec := &recorder{data: map[string]string{}}
	u := New(rec, slog.New(slog.NewTextHandler(io.Discard, nil)))
	u.Put("a", "1")
	u.Put("b", "1")
	u.Put("a", "2")
	u.Delete("c")
	u.Append("log", "first")
	if err := u.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if got := rec.data["a"]; got != "2" {
		t.Errorf("a = %q, want 2", got)
	}
	if n := len(rec.ops); n != 4 {
		t.Errorf("ops = %d (%v), want 4", n, rec.ops)
	}
	if got := rec.data["log"]; got != "first\n" {
		t.Errorf("log = %q", got)
	}
}

func TestRollbackDropsOps(t *testing.T) {
	rec := &recorder{data: map[string]string{}}
	u := New(rec, slog.New(slog.NewTextHandler(io.Discard, nil)))
	u.Put("a", "1")
	u.Rollback()
	if err := u.Commit(context.Background()); err != nil || len(rec.ops) != 0 {
		t.Fatalf("commit after rollback wrote %v (err %v)", rec.ops, err)
	}
}

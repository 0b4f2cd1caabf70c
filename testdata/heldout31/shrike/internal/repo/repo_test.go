package repo_test

import (
	"context"
	"errors"
	"testing"

	"example.com/shrike/internal/domain"
	"example.com/shrike/internal/kvop"
	"example.com/shrike/internal/ports"
	"example.com/shrike/internal/repo"
)

type fakeStore map[string][]byte

func (f fakeStore) exec(_ context.Context, op kvop.Op) (kvop.Result, error) {
	switch op.Kind {
	case kvop.Get:
		v, ok := f[op.Key]
		return kvop.Result{Value: v, Found: ok}, nil
	case kvop.Put:
		f[op.Key] = op.Value
	case kvop.Delete:
		delete(f, op.Key)
	}
	return kvop.Result{}, nil
}

func TestPrefixes(t *testing.T) {
	f := fakeStore{}
	tickets := repo.ForPrefixed[domain.Ticket](f.exec)
	if got := tickets.Key("7"); got != "ticket:7" {
		t.Fatalf("key %q", got)
	}
	type Draft struct{ N int }
	if got := repo.New[Draft](f.exec).Key("x"); got != "draft:x" {
		t.Fatalf("key %q", got)
	}
}

func TestGetMissing(t *testing.T) {
	r := repo.ForPrefixed[domain.Pass](fakeStore{}.exec)
	if _, err := r.Get(context.Background(), "nope"); !errors.Is(err, ports.ErrNotFound) {
		t.Fatalf("err = %v", err)
	}
}

func TestUpdate(t *testing.T) {
	f := fakeStore{}
	r := repo.ForPrefixed[domain.Ticket](f.exec)
	ctx := context.Background()
	if err := r.Put(ctx, "1", domain.Ticket{ID: "1", Status: "open"}); err != nil {
		t.Fatal(err)
	}
	got, err := r.Update(ctx, "1", func(t *domain.Ticket) error { t.Status = "closed"; return nil })
	if err != nil || got.Status != "closed" {
		t.Fatalf("update: %v %+v", err, got)
	}
}

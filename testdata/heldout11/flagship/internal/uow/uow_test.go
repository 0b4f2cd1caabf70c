package uow_test

import (
	"context"
	"testing"

	"example.com/flagship/internal/storage/memkv"
	"example.com/flagship/internal/uow"
)

func TestStageReplacesAndCommits(t *testing.T) {
	kv := memkv.New()
	w := uow.New(kv)
	w.Stage("a", []byte("1"), 0, nil)
	w.Stage("b", []byte("2"), 0, nil)
	w.Stage("a", []byte("3"), 0, nil)
	if err := w.Commit(context.Background()); err != nil {
		t.Fatal(err)
	}
	if v, _ := kv.Get(context.Background(), "a"); string(v) != "3" {
		t.Fatalf("a = %q", v)
	}
}

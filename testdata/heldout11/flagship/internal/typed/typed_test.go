package typed_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
	"example.com/flagship/internal/storage/memkv"
	"example.com/flagship/internal/typed"
)

type note struct{ Text string }

func TestPutRaisesShortTTL(t *testing.T) {
	kv := memkv.New()
	s := typed.New[note](kv, kvkey.Key("note"), nil)
	if err := s.Put(context.Background(), "x", note{"hi"}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := kv.TTLs["note/x"]; got != typed.MinTTL {
		t.Fatalf("ttl = %v, want %v", got, typed.MinTTL)
	}
}

func TestGetMissing(t *testing.T) {
	s := typed.New[note](memkv.New(), kvkey.Key("note"), nil)
	if _, err := s.Get(context.Background(), "nope"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("got %v", err)
	}
}

func TestUpdate(t *testing.T) {
	ctx := context.Background()
	s := typed.New[note](memkv.New(), kvkey.Key("note"), nil)
	_ = s.Put(ctx, "x", note{"a"}, 0)
	if err := s.Update(ctx, "x", 0, func(n *note) error { n.Text += "b"; return nil }); err != nil {
		t.Fatal(err)
	}
	if n, _ := s.Get(ctx, "x"); n.Text != "ab" {
		t.Fatalf("got %q", n.Text)
	}
}

package storage_test

import (
	"context"
	"errors"
	"testing"

	"example.com/linnet/internal/storage"
	"example.com/linnet/internal/storage/memstore"
)

// recordingStore wraps the in-memory store and remembers the options of
// every write.
type recordingStore struct {
	storage.Store
	puts []storage.PutOptions
}

func (r *recordingStore) Put(ctx context.Context, key string, value []byte, opts ...storage.PutOption) error {
	r.puts = append(r.puts, storage.ApplyPut(opts))
	return r.Store.Put(ctx, key, value, opts...)
}

func TestUpdateCreatesAndSkips(t *testing.T) {
	ctx := context.Background()
	s := &recordingStore{Store: memstore.New(nil)}
	type doc struct{ N []int }
	for i := range 3 {
		err := storage.Update(ctx, s, "doc", func(d *doc) error {
			if i == 2 {
				return storage.ErrSkip
			}
			d.N = append(d.N, i)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
	}
	got, err := storage.GetJSON[doc](ctx, s, "doc")
	if err != nil || len(got.N) != 2 {
		t.Fatalf("got %+v, %v", got, err)
	}
	if len(s.puts) != 2 {
		t.Fatalf("expected 2 writes, got %d", len(s.puts))
	}
}

func TestPageTokenRoundTrip(t *testing.T) {
	tok := storage.EncodePageToken("cursor-123")
	c, err := storage.DecodePageToken(tok)
	if err != nil || c != "cursor-123" {
		t.Fatalf("got %q, %v", c, err)
	}
	if _, err := storage.DecodePageToken("not-a-token"); !errors.Is(err, storage.ErrBadPageToken) {
		t.Fatalf("expected ErrBadPageToken, got %v", err)
	}
}

func TestMemstoreListPages(t *testing.T) {
	ctx := context.Background()
	s := memstore.New(nil)
	for _, k := range []string{"a:1", "a:2", "a:3", "b:1"} {
		_ = s.Put(ctx, k, []byte("x"))
	}
	p, _ := s.List(ctx, storage.ListOptions{Prefix: "a:", Limit: 2})
	if len(p.Keys) != 2 || p.Complete {
		t.Fatalf("first page: %+v", p)
	}
	p, _ = s.List(ctx, storage.ListOptions{Prefix: "a:", Limit: 2, Cursor: p.Cursor})
	if len(p.Keys) != 1 || !p.Complete {
		t.Fatalf("second page: %+v", p)
	}
}

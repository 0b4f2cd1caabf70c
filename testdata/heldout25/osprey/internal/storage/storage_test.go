package storage_test

import (
	"context"
	"testing"
	"time"

	"example.com/osprey/internal/codec"
	"example.com/osprey/internal/storage"
	"example.com/osprey/internal/storage/memstore"
)

// recordingRaw wraps the in-memory store and remembers the TTLs it saw.
type recordingRaw struct {
	storage.Raw
	ttls []time.Duration
}

func (r *recordingRaw) Put(ctx context.Context, key string, v []byte, opts ...storage.PutOption) error {
	r.ttls = append(r.ttls, storage.Apply(opts).TTL)
	return r.Raw.Put(ctx, key, v, opts...)
}

func TestBatchFlushClampsTTL(t *testing.T) {
	rec := &recordingRaw{Raw: memstore.New()}
	var b storage.Batch
	b = b.Add("a", []byte("1"), 10*time.Second).Add("b", []byte("2"), time.Hour)
	if err := b.Flush(context.Background(), rec); err != nil {
		t.Fatal(err)
	}
	if rec.ttls[0] != time.Minute {
		t.Fatalf("ttl %v", rec.ttls[0])
	}
}

func TestTypedRoundTrip(t *testing.T) {
	s := storage.NewTyped[string, int64](memstore.New(), codec.Int{})
	if err := s.Put(context.Background(), "n", 42); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Get(context.Background(), "n"); err != nil || v != 42 {
		t.Fatalf("%v %v", v, err)
	}
}

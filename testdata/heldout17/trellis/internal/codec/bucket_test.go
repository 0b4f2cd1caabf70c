package codec

import (
	"context"
	"testing"
	"time"

	"example.com/trellis/internal/kvstore"
)

type recordingStore struct {
	data map[string][]byte
	ttl  map[string]time.Duration
}

func (r *recordingStore) Get(_ context.Context, key string) ([]byte, error) {
	v, ok := r.data[key]
	if !ok {
		return nil, kvstore.ErrNotFound
	}
	return v, nil
}

func (r *recordingStore) Put(_ context.Context, key string, value []byte, opts kvstore.PutOptions) error {
	r.data[key], r.ttl[key] = value, opts.TTL
	return nil
}

func (r *recordingStore) Delete(_ context.Context, key string) error {
	delete(r.data, key)
	return nil
}

type plant struct {
	Name string `json:"name"`
	Pot  string `json:"pot"`
}

func TestBucketRoundTripAndClamp(t *testing.T) {
	ctx := context.Background()
	st := &recordingStore{data: map[string][]byte{}, ttl: map[string]time.Duration{}}
	b := NewBucket(st, "plant:", JSON[plant]{})
	if _, found, err := b.Get(ctx, "fern"); err != nil || found {
		t.Fatalf("empty bucket: found=%v err=%v", found, err)
	}
	if err := b.Put(ctx, "fern", plant{Name: "Hart's-tongue fern", Pot: "2L"}, 10*time.Second); err != nil {
		t.Fatal(err)
	}
	if got := st.ttl["plant:fern"]; got != MinTTL {
		t.Fatalf("ttl = %v, want %v", got, MinTTL)
	}
	p, found, err := b.Get(ctx, "fern")
	if err != nil || !found || p.Pot != "2L" {
		t.Fatalf("got %+v found=%v err=%v", p, found, err)
	}
}

func TestInt64Codec(t *testing.T) {
	raw, _ := Int64{}.Encode(-42)
	n, err := Int64{}.Decode(raw)
	if err != nil || n != -42 {
		t.Fatalf("n=%d err=%v", n, err)
	}
}

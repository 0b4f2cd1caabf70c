package votes

import (
	"context"
	"testing"

	"example.com/bellwether/internal/kvstore"
)

// bulkFake is a Store that also reads in bulk, counting calls.
type bulkFake struct {
	data      map[string][]byte
	bulkCalls int
}

func (f *bulkFake) Get(_ context.Context, k string) ([]byte, error) {
	if v, ok := f.data[k]; ok {
		return v, nil
	}
	return nil, kvstore.ErrNotFound
}

func (f *bulkFake) Put(_ context.Context, k string, v []byte, _ ...kvstore.PutOption) error {
	f.data[k] = v
	return nil
}

func (f *bulkFake) Delete(_ context.Context, k string) error {
	delete(f.data, k)
	return nil
}

func (f *bulkFake) GetMany(_ context.Context, keys []string) (map[string][]byte, error) {
	f.bulkCalls++
	out := map[string][]byte{}
	for _, k := range keys {
		if v, ok := f.data[k]; ok {
			out[k] = v
		}
	}
	return out, nil
}

func TestTalliesUseBulkRead(t *testing.T) {
	ctx := context.Background()
	f := &bulkFake{data: map[string][]byte{"tally:p:c1": []byte("4")}}
	r := NewRecorder(f)
	got, err := r.Tallies(ctx, "p", []string{"c1", "c2"})
	if err != nil {
		t.Fatal(err)
	}
	if got["c1"] != 4 || got["c2"] != 0 || f.bulkCalls != 1 {
		t.Fatalf("tallies = %v, bulk calls = %d", got, f.bulkCalls)
	}
}

package jobs

import (
	"context"
	"testing"
	"time"

	"example.com/gannet/internal/storage"
)

type recorder struct{ keys []string }

func (r *recorder) Put(_ context.Context, key string, _ []byte, _ storage.PutOptions) error {
	r.keys = append(r.keys, key)
	return nil
}

func TestTouchWritesKey(t *testing.T) {
	var r recorder
	if err := Touch(context.Background(), &r, "jobs:test", time.Unix(0, 0)); err != nil {
		t.Fatal(err)
	}
	if len(r.keys) != 1 || r.keys[0] != "jobs:test" {
		t.Fatalf("keys = %v", r.keys)
	}
}

package pod

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/curlew/internal/kv"
	"example.com/curlew/internal/kv/memkv"
)

type fakeStatus struct{ err error }

func (f fakeStatus) MarkDelivered(context.Context, string, time.Time) error { return f.err }

func TestStoreCompensates(t *testing.T) {
	store := memkv.New()
	s := New(store, fakeStatus{err: errors.New("tracking down")}, Config{Retention: 24 * time.Hour})
	err := s.Store(context.Background(), Upload{ParcelID: "p1", CourierID: "c1", Photo: []byte("jpeg")})
	if err == nil {
		t.Fatal("expected error")
	}
	for _, key := range []string{"pod:photo:p1", "pod:rec:p1", lockKey("p1")} {
		if _, err := store.Get(context.Background(), key); !kv.IsNotFound(err) {
			t.Fatalf("%s left behind", key)
		}
	}
}

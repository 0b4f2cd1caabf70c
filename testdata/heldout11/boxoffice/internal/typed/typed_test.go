package typed_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"example.com/boxoffice/internal/storage"
	"example.com/boxoffice/internal/storage/memstore"
	"example.com/boxoffice/internal/typed"
)

type widget struct {
	Name string `json:"name"`
	N    int    `json:"n"`
}

func TestRoundTripAndMinTTL(t *testing.T) {
	ctx := context.Background()
	st := memstore.New()
	now := time.Now()
	st.SetClock(func() time.Time { return now })
	ws := typed.New[widget](st, "w", nil)
	if err := ws.Put(ctx, "x", widget{Name: "x", N: 3}, time.Second); err != nil {
		t.Fatal(err)
	}
	now = now.Add(30 * time.Second)
	got, err := ws.Get(ctx, "x")
	if err != nil || got.N != 3 {
		t.Fatalf("get = %+v, %v (short ttl should be raised to %v)", got, err, typed.MinTTL)
	}
	now = now.Add(time.Minute)
	if _, ok, err := ws.Lookup(ctx, "x"); ok || err != nil {
		t.Fatalf("lookup after expiry: ok=%v err=%v", ok, err)
	}
	if _, err := ws.Get(ctx, "x"); !errors.Is(err, storage.ErrNotFound) {
		t.Fatalf("get after expiry: %v", err)
	}
}

package kvstore_test

import (
	"context"
	"testing"
	"time"

	"example.com/academy/internal/kvstore"
	"example.com/academy/internal/kvstore/memkv"
)

type item struct{ Name string }

func TestJSONRoundTrip(t *testing.T) {
	ctx := context.Background()
	s := memkv.New()
	if _, found, err := kvstore.GetJSON[item](ctx, s, "item:1"); err != nil || found {
		t.Fatalf("missing key: found=%v err=%v", found, err)
	}
	if err := kvstore.Write(s).Key("item:1").TTL(time.Hour).Put(ctx, []byte(`{"Name":"a"}`)); err != nil {
		t.Fatal(err)
	}
	got, found, err := kvstore.GetJSON[item](ctx, s, "item:1")
	if err != nil || !found || got.Name != "a" {
		t.Fatalf("got %+v found=%v err=%v", got, found, err)
	}
}

func TestPutFunc(t *testing.T) {
	var seen string
	p := kvstore.PutFunc(func(_ context.Context, key string, _ []byte, _ ...kvstore.PutOption) error {
		seen = key
		return nil
	})
	if err := kvstore.PutJSON(context.Background(), p, "k", item{}); err != nil || seen != "k" {
		t.Fatalf("seen=%q err=%v", seen, err)
	}
}

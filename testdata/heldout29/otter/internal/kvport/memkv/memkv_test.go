package memkv

import (
	"context"
	"testing"
	"time"

	"example.com/otter/internal/kvport"
)

func TestPutGetList(t *testing.T) {
	ctx := context.Background()
	o := NewOpener()
	b := o.Open("inv", kvport.WithLifetime(time.Hour))
	for _, k := range []string{"a", "b", "c"} {
		if err := b.Put(ctx, k, []byte(k), nil); err != nil {
			t.Fatal(err)
		}
	}
	if v, err := b.Get(ctx, "b"); err != nil || string(v) != "b" {
		t.Fatalf("get b = %q, %v", v, err)
	}
	if _, err := b.Get(ctx, "zz"); !kvport.IsNotFound(err) {
		t.Fatalf("missing key: %v", err)
	}
	page, err := b.List(ctx, kvport.ListQuery{Limit: 2})
	if err != nil || len(page.Keys) != 2 || page.Complete {
		t.Fatalf("first page = %+v, %v", page, err)
	}
	page, err = b.List(ctx, kvport.ListQuery{Cursor: page.Cursor, Limit: 2})
	if err != nil || len(page.Keys) != 1 || !page.Complete || page.Keys[0].Name != "c" {
		t.Fatalf("second page = %+v, %v", page, err)
	}
}

//go:build js && wasm

package portal

import (
	"context"
	"testing"

	"example.com/gannet/edge/kvstore"
)

type textKV map[string]string

func (t textKV) Text(_ context.Context, key string) (string, error) {
	if v, ok := t[key]; ok {
		return v, nil
	}
	return kvstore.Null, nil
}

func (t textKV) Put(_ context.Context, key string, value []byte) error {
	t[key] = string(value)
	return nil
}

func TestBumpViewsStartsAtOne(t *testing.T) {
	kv := textKV{}
	if err := bumpViews(context.Background(), kv, "views:v1"); err != nil {
		t.Fatal(err)
	}
	if kv["views:v1"] != "1" {
		t.Fatalf("views = %q", kv["views:v1"])
	}
}

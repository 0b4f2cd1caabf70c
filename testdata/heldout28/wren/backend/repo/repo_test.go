package repo

import (
	"context"
	"encoding/json"
	"testing"
)

type driverV2 struct {
	Name  string `json:"name"`
	Email string `json:"email"`
}

func TestMigrateOnRead(t *testing.T) {
	ctx := context.Background()
	kv := newMemKV()
	_ = kv.Put(ctx, "driver:1", []byte(`{"v":1,"data":{"full_name":"Ada"}}`))
	r := New(kv, "driver", WithVersion(2, func(from int, raw json.RawMessage) (driverV2, error) {
		var old struct {
			FullName string `json:"full_name"`
		}
		err := json.Unmarshal(raw, &old)
		return driverV2{Name: old.FullName}, err
	}))
	d, found, err := r.Get(ctx, "1")
	if err != nil || !found || d.Name != "Ada" {
		t.Fatalf("got %+v %v %v", d, found, err)
	}
}

package sessions

import (
	"context"
	"testing"
	"time"

	"kvlint.test/ports/store"
)

type fakeCache map[string][]byte

func (f fakeCache) Put(_ context.Context, key string, v []byte, _ ...store.PutOption) error {
	f[key] = v
	return nil
}

// A keeper built on a fake never reaches KV: its second is no finding.
func TestKeep(t *testing.T) {
	k := NewKeeper(fakeCache{}, time.Second)
	if err := k.Keep(context.Background(), "k", []byte("v")); err != nil {
		t.Fatal(err)
	}
}

package tally

import (
	"context"
	"testing"

	"kvlint.test/ports/memstore"
	"kvlint.test/ports/store"
)

// memOps fills the table over any store, as a test helper does: that
// hides nothing of what main wires.
func memOps(st store.Store) Ops {
	return Ops{
		Get: func(ctx context.Context, key string) (string, error) {
			b, err := st.Get(ctx, key)
			return string(b), err
		},
		Put: func(ctx context.Context, key, value string) error { return st.Set(ctx, key, []byte(value), 0) },
	}
}

func TestLike(t *testing.T) {
	l := &Likes{Ops: memOps(&memstore.Mem{})}
	if err := l.Like(context.Background(), "p"); err != nil {
		t.Fatal(err)
	}
}

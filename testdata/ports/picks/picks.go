// Package picks chooses lifetimes with a utility library's generic
// helper, lo.Ternary, which returns one of its arguments as it is.
package picks

import (
	"context"
	"time"

	"github.com/samber/lo"

	"kvlint.test/ports/store"
)

// Remember keeps a preview for half a minute, a published card for ten.
func Remember(ctx context.Context, st store.Store, key string, v []byte, published bool) error {
	return st.Set(ctx, key, v, lo.Ternary(published, 10*time.Minute, 30*time.Second))
}

// Keep keeps either for a minute or more.
func Keep(ctx context.Context, st store.Store, key string, v []byte, published bool) error {
	return st.Set(ctx, key, v, lo.Ternary(published, 10*time.Minute, time.Minute))
}

// Stamp marks each id seen, then the last one: lo.ForEach runs its
// function once per element, so the last one's key is written as often.
func Stamp(ctx context.Context, st store.Store, ids []string) {
	lo.ForEach(ids, func(id string, _ int) {
		_ = st.Set(ctx, "seen:"+id, []byte("1"), time.Hour)
		_ = st.Set(ctx, "seen:latest", []byte(id), time.Hour)
	})
}

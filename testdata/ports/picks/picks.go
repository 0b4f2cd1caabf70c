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

// Package tally keeps simple named counters for the portal's usage page.
package tally

import (
	"context"
	"errors"
	"strconv"
	"strings"

	"stonechat/internal/kvstore"
)

// NewTally returns an increment and a read function for the counter called
// name. Both share the key derived once here.
func NewTally(store *kvstore.Store, name string) (inc func(ctx context.Context, by int) error, read func(ctx context.Context) (int, error)) {
	key := strings.Join([]string{"tally", name, "count"}, "/")

	read = func(ctx context.Context) (int, error) {
		raw, err := store.Get(ctx, key)
		if errors.Is(err, kvstore.ErrNotFound) {
			return 0, nil
		}
		if err != nil {
			return 0, err
		}
		return strconv.Atoi(string(raw))
	}

	inc = func(ctx context.Context, by int) error {
		n, err := read(ctx)
		if err != nil {
			return err
		}
		return store.Put(ctx, key, []byte(strconv.Itoa(n+by))) // EXPECT kvcounter
	}
	return inc, read
}

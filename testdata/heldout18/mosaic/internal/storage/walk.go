package storage

import (
	"context"
	"errors"
)

// ErrStop can be returned by a walk callback to end the walk early without
// reporting an error.
var ErrStop = errors.New("storage: stop walk")

// DefaultPageSize is the page size used by the walk helpers.
const DefaultPageSize = 1000

// Walk calls fn for every key under prefix, following the cursor page by
// page until the listing is complete.
func Walk(ctx context.Context, st Store, prefix string, fn func(Key) error) error {
	cursor := ""
	for {
		page, err := st.List(ctx, prefix, cursor, DefaultPageSize) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if err := fn(k); err != nil {
				if errors.Is(err, ErrStop) {
					return nil
				}
				return err
			}
		}
		if page.Done {
			return nil
		}
		cursor = page.Cursor
	}
}

package storage

import (
	"context"
	"iter"
)

// Keys yields the keys under prefix in order, fetching pageSize keys per
// request. The caller decides how far to go; stopping the range stops the
// listing.
func Keys(ctx context.Context, l Lister, prefix string, pageSize int) iter.Seq2[KeyInfo, error] {
	return func(yield func(KeyInfo, error) bool) {
		cursor := ""
		for {
			page, err := l.List(ctx, prefix, cursor, pageSize)
			if err != nil {
				yield(KeyInfo{}, err)
				return
			}
			for _, k := range page.Keys {
				if !yield(k, nil) {
					return
				}
			}
			if page.Complete || page.Cursor == "" {
				return
			}
			cursor = page.Cursor
		}
	}
}

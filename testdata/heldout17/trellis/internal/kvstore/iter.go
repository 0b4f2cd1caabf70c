package kvstore

import (
	"context"
	"iter"
)

// MaxPageSize is the largest page Workers KV returns.
const MaxPageSize = 1000

// Walk yields every key under prefix, page by page, until the listing is complete or the consumer stops ranging.
func Walk(ctx context.Context, l Lister, prefix string) iter.Seq2[KeyInfo, error] {
	return func(yield func(KeyInfo, error) bool) {
		opts := ListOptions{Prefix: prefix, Limit: MaxPageSize}
		for {
			page, err := l.List(ctx, opts) // DEBATABLE kvlist
			if err != nil {
				yield(KeyInfo{}, err)
				return
			}
			for _, k := range page.Keys {
				if !yield(k, nil) {
					return
				}
			}
			if page.Complete {
				return
			}
			opts.Cursor = page.Cursor
		}
	}
}

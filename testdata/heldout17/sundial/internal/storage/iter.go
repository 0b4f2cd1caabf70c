package storage

import (
	"context"
	"iter"
)

// Keys pages through every key under prefix, following cursors until the
// listing is complete or the consumer stops.
func Keys(ctx context.Context, l Lister, prefix string) iter.Seq2[KeyInfo, error] {
	return func(yield func(KeyInfo, error) bool) {
		opts := ListOptions{Prefix: prefix}
		for {
			if err := ctx.Err(); err != nil {
				yield(KeyInfo{}, err)
				return
			}
			page, err := l.List(ctx, opts)
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
			opts.Cursor = page.Cursor
		}
	}
}

// Take stops seq after n pairs.
func Take[K, V any](seq iter.Seq2[K, V], n int) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		if n <= 0 {
			return
		}
		i := 0
		for k, v := range seq {
			if !yield(k, v) {
				return
			}
			i++
			if i == n {
				return
			}
		}
	}
}

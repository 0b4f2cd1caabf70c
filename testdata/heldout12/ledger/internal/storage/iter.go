package storage

import (
	"context"
	"iter"
)

// Keys yields every key under prefix, following cursors as needed. Stop
// ranging to stop fetching.
func Keys(ctx context.Context, l Lister, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		q := ListQuery{Prefix: prefix, Limit: 1000}
		for {
			page, err := l.List(ctx, q)
			if err != nil {
				yield("", err)
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
			q.Cursor = page.Cursor
		}
	}
}

// FirstN collects at most n keys under prefix.
func FirstN(ctx context.Context, l Lister, prefix string, n int) ([]string, error) {
	out := make([]string, 0, min(n, 1000))
	for k, err := range Keys(ctx, l, prefix) {
		if err != nil {
			return out, err
		}
		out = append(out, k)
		if len(out) >= n {
			break
		}
	}
	return out, nil
}

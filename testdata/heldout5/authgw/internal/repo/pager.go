package repo

import (
	"context"
	"iter"

	"example.com/authgw/internal/kvport"
)

// Keys walks every key under prefix, fetching pages of pageSize lazily.
// Stop ranging to stop fetching.
func Keys(ctx context.Context, l kvport.Lister, prefix string, pageSize int) iter.Seq2[kvport.Key, error] {
	return func(yield func(kvport.Key, error) bool) {
		cursor := ""
		for {
			page, err := l.List(ctx, kvport.ListQuery{Prefix: prefix, Cursor: cursor, Limit: pageSize})
			if err != nil {
				yield(kvport.Key{}, err)
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

// Collect gathers up to max keys from seq. A max of zero or less means no cap.
func Collect(seq iter.Seq2[kvport.Key, error], max int) ([]kvport.Key, bool, error) {
	var out []kvport.Key
	for k, err := range seq {
		if err != nil {
			return out, false, err
		}
		if max > 0 && len(out) == max {
			return out, true, nil
		}
		out = append(out, k)
	}
	return out, false, nil
}

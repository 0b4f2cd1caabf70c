package store

import (
	"context"
	"errors"
	"iter"
	"strings"
)

// ErrBudgetExceeded is returned by Collect when more keys exist than allowed.
var ErrBudgetExceeded = errors.New("store: listing budget exceeded")

// Keys returns a lazy iterator over every key under prefix. It fetches the
// next page only when the consumer asks for more, so a consumer that stops
// early costs a single list operation.
func Keys(ctx context.Context, l Lister, prefix string) iter.Seq2[Key, error] {
	return func(yield func(Key, error) bool) {
		cursor := ""
		for {
			page, err := l.List(ctx, ListOptions{Prefix: prefix, Cursor: cursor})
			if err != nil {
				yield(Key{}, err)
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

// Collect gathers at most maxPages pages of keys under prefix. It returns
// ErrBudgetExceeded together with what it collected when the listing is
// longer than the budget.
func Collect(ctx context.Context, l Lister, prefix string, maxPages int) ([]Key, error) {
	var (
		out    []Key
		cursor string
	)
	for range maxPages {
		page, err := l.List(ctx, ListOptions{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return out, err
		}
		out = append(out, page.Keys...)
		if page.Complete {
			return out, nil
		}
		cursor = page.Cursor
	}
	return out, ErrBudgetExceeded
}

// TrimKeys strips prefix from each key name.
func TrimKeys(keys []Key, prefix string) []string {
	ids := make([]string, 0, len(keys))
	for _, k := range keys {
		ids = append(ids, strings.TrimPrefix(k.Name, prefix))
	}
	return ids
}

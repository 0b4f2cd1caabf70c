package store

import (
	"context"
	"errors"
)

// ErrPageBudget is returned by Walk when maxPages pages were read and the
// listing was still not complete.
var ErrPageBudget = errors.New("store: page budget exhausted")

// Walk calls fn for every key under prefix, reading at most maxPages pages of
// up to limit keys. It stops early when fn returns an error.
func Walk(ctx context.Context, l Lister, prefix string, limit, maxPages int, fn func(key string) error) error {
	cursor := ""
	for page := 0; page < maxPages; page++ {
		p, err := l.List(ctx, prefix, cursor, limit)
		if err != nil {
			return err
		}
		for _, k := range p.Keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if p.Complete {
			return nil
		}
		if err := ctx.Err(); err != nil {
			return err
		}
		cursor = p.Cursor
	}
	return ErrPageBudget
}

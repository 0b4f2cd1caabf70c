package storage

import (
	"context"
	"errors"
)

// ErrBudget is returned when a walk stops because it used up its page budget.
var ErrBudget = errors.New("storage: listing budget exhausted")

// Walk calls fn for every key under prefix, fetching at most maxPages pages.
// It follows Complete rather than the number of keys on a page.
func Walk(ctx context.Context, l Lister, prefix string, pageSize, maxPages int, fn func(KeyInfo) error) error {
	cursor := ""
	for page := 0; page < maxPages; page++ {
		p, err := l.List(ctx, ListQuery{Prefix: prefix, Cursor: cursor, Limit: pageSize})
		if err != nil {
			return err
		}
		for _, k := range p.Keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if p.Complete || p.Cursor == "" {
			return nil
		}
		cursor = p.Cursor
	}
	return ErrBudget
}

package storage

import (
	"context"
	"errors"
	"time"
)

// ErrBudget is returned by WalkBounded when it stopped early.
var ErrBudget = errors.New("storage: walk budget exhausted")

// Walk calls fn for every key under prefix, following the cursor to the end.
func Walk(ctx context.Context, l Lister, prefix string, fn func(KeyInfo) error) error {
	opts := ListOptions{Prefix: prefix, Limit: MaxPageSize}
	for {
		page, err := l.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if err := fn(k); err != nil {
				return err
			}
		}
		if page.Complete {
			return nil
		}
		opts.Cursor = page.Cursor
	}
}

// Budget bounds a walk.
type Budget struct {
	MaxPages int
	MaxKeys  int
	Deadline time.Time
}

// WalkBounded is Walk with a page, key and time budget. It returns
// ErrBudget with the cursor to resume from when the budget runs out.
func WalkBounded(ctx context.Context, l Lister, prefix string, b Budget, fn func(KeyInfo) error) (string, error) {
	opts := ListOptions{Prefix: prefix, Limit: MaxPageSize}
	seen := 0
	for pageNo := 0; pageNo < b.MaxPages; pageNo++ {
		if !b.Deadline.IsZero() && time.Now().After(b.Deadline) {
			return opts.Cursor, ErrBudget
		}
		page, err := l.List(ctx, opts)
		if err != nil {
			return opts.Cursor, err
		}
		for _, k := range page.Keys {
			if err := fn(k); err != nil {
				return opts.Cursor, err
			}
			seen++
		}
		if page.Complete {
			return "", nil
		}
		opts.Cursor = page.Cursor
		if b.MaxKeys > 0 && seen >= b.MaxKeys {
			break
		}
	}
	return opts.Cursor, ErrBudget
}

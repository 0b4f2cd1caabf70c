package kvstore

import (
	"context"
	"iter"
)

// Lister is the part of a Store that pages through keys.
type Lister interface {
	List(ctx context.Context, opts ListOptions) (Page, error)
}

// Keys yields every key under prefix, following the cursor page by page. The
// sequence stops as soon as the consumer stops ranging over it.
func Keys(ctx context.Context, l Lister, prefix string) iter.Seq2[KeyInfo, error] {
	return func(yield func(KeyInfo, error) bool) {
		opts := ListOptions{Prefix: prefix, Limit: 1000}
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

// Where keeps the keys for which keep returns true.
func Where(seq iter.Seq2[KeyInfo, error], keep func(KeyInfo) bool) iter.Seq2[KeyInfo, error] {
	return func(yield func(KeyInfo, error) bool) {
		for k, err := range seq {
			if err != nil {
				yield(k, err)
				return
			}
			if keep(k) && !yield(k, nil) {
				return
			}
		}
	}
}

// Names projects a listing onto key names.
func Names(seq iter.Seq2[KeyInfo, error]) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		for k, err := range seq {
			if !yield(k.Name, err) || err != nil {
				return
			}
		}
	}
}

// First stops a sequence after n items.
func First[T any](seq iter.Seq2[T, error], n int) iter.Seq2[T, error] {
	return func(yield func(T, error) bool) {
		if n <= 0 {
			return
		}
		seen := 0
		for v, err := range seq {
			if !yield(v, err) || err != nil {
				return
			}
			seen++
			if seen == n {
				return
			}
		}
	}
}

// Chunk groups a sequence into slices of at most n items.
func Chunk[T any](seq iter.Seq2[T, error], n int) iter.Seq2[[]T, error] {
	return func(yield func([]T, error) bool) {
		buf := make([]T, 0, n)
		for v, err := range seq {
			if err != nil {
				yield(nil, err)
				return
			}
			buf = append(buf, v)
			if len(buf) == n {
				if !yield(buf, nil) {
					return
				}
				buf = make([]T, 0, n)
			}
		}
		if len(buf) > 0 {
			yield(buf, nil)
		}
	}
}

// Pair is a key with its value.
type Pair struct {
	Key   KeyInfo
	Value []byte
}

// Values pairs every listed key with its stored value.
func Values(ctx context.Context, s Store, seq iter.Seq2[KeyInfo, error]) iter.Seq2[Pair, error] {
	return func(yield func(Pair, error) bool) {
		for k, err := range seq {
			if err != nil {
				yield(Pair{}, err)
				return
			}
			v, err := s.Get(ctx, k.Name) // EXPECT kvlist
			if err == ErrNotFound {
				continue
			}
			if !yield(Pair{Key: k, Value: v}, err) || err != nil {
				return
			}
		}
	}
}

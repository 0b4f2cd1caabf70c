package kvstore

import (
	"context"
	"iter"
)

// Walk pages through every key matching req, fetching the next page only
// when the consumer asks for more. Stopping the range loop stops the walk.
func Walk(ctx context.Context, s Store, req ListRequest) iter.Seq2[KeyInfo, error] {
	return func(yield func(KeyInfo, error) bool) {
		next := req
		for {
			page, err := s.List(ctx, next)
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
			next = next.After(page.Cursor)
		}
	}
}

// Take collects at most n keys from a walk and reports whether more remain.
func Take(ctx context.Context, s Store, req ListRequest, n int) (keys []KeyInfo, more bool, err error) {
	for k, werr := range Walk(ctx, s, req) {
		if werr != nil {
			return keys, false, werr
		}
		if len(keys) == n {
			return keys, true, nil
		}
		keys = append(keys, k)
	}
	return keys, false, nil
}

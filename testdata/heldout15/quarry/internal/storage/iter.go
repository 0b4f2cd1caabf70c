package storage

import "context"

// DefaultPageSize is used by Keys when listing.
const DefaultPageSize = 500

// Keys streams every key under prefix. A goroutine pages through the listing
// for at most maxPages pages; if keys remain after that, ErrBudget is sent on
// the error channel. Both channels are closed when the goroutine exits, and
// cancelling ctx stops it early.
func Keys(ctx context.Context, s Store, prefix string, maxPages int) (<-chan string, <-chan error) {
	out := make(chan string)
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		defer close(out)
		cursor := ""
		for page := 0; page < maxPages; page++ {
			res, err := s.List(ctx, prefix, cursor, DefaultPageSize)
			if err != nil {
				errc <- err
				return
			}
			for _, k := range res.Keys {
				select {
				case out <- k:
				case <-ctx.Done():
					errc <- ctx.Err()
					return
				}
			}
			if res.Complete {
				return
			}
			cursor = res.Cursor
		}
		errc <- ErrBudget
	}()
	return out, errc
}

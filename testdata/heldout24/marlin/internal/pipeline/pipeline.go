// Package pipeline runs maintenance passes over KV key spaces as channel
// pipelines: one stage lists keys, worker stages act on them.
package pipeline

import (
	"context"
	"sync"
	"time"

	"example.com/marlin/internal/clock"
	"example.com/marlin/internal/kv"
)

// Item is one listed key travelling through a pipeline.
type Item struct {
	Key kv.KeyInfo
}

// Lister produces the keys of a pass.
type Lister func(ctx context.Context, out chan<- Item) error

// Stage consumes items.
type Stage func(ctx context.Context, in <-chan Item) error

// Run connects a lister to n copies of stage and waits for all of them.
func Run(ctx context.Context, list Lister, stage Stage, n int) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	ch := make(chan Item, 256)
	errs := make(chan error, n+1)

	var wg sync.WaitGroup
	for range max(n, 1) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := stage(ctx, ch); err != nil {
				errs <- err
				cancel()
			}
		}()
	}
	go func() {
		defer close(ch)
		if err := list(ctx, ch); err != nil {
			errs <- err
			cancel()
		}
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		if err != nil {
			return err
		}
	}
	return nil
}

// ListAll lists every key under prefix.
func ListAll(store kv.Lister, prefix string) Lister {
	return func(ctx context.Context, out chan<- Item) error {
		cursor := ""
		for {
			page, err := store.List(ctx, kv.ListRequest{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
			if err != nil {
				return err
			}
			for _, k := range page.Keys {
				select {
				case out <- Item{Key: k}:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if page.Complete {
				return nil
			}
			cursor = page.Cursor
		}
	}
}

// Budget bounds a listing pass.
type Budget struct {
	Pages    int
	Deadline time.Duration
}

// ListBounded lists keys under prefix until the budget is spent. It returns
// the cursor to resume from (empty when the listing finished).
func ListBounded(store kv.Lister, c clock.Clock, prefix, from string, b Budget, resume *string) Lister {
	return func(ctx context.Context, out chan<- Item) error {
		stop := c.Now().Add(b.Deadline)
		cursor := from
		for page := 0; page < b.Pages && c.Now().Before(stop); page++ {
			res, err := store.List(ctx, kv.ListRequest{Prefix: prefix, Cursor: cursor, Limit: kv.MaxListLimit})
			if err != nil {
				return err
			}
			for _, k := range res.Keys {
				select {
				case out <- Item{Key: k}:
				case <-ctx.Done():
					return ctx.Err()
				}
			}
			if res.Complete {
				*resume = ""
				return nil
			}
			cursor = res.Cursor
		}
		*resume = cursor
		return nil
	}
}

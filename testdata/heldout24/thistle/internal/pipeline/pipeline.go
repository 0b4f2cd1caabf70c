// Package pipeline streams keys out of a store and processes them with a
// few concurrent stages. It backs the maintenance jobs.
package pipeline

import (
	"context"
	"sync"

	"example.com/thistle/internal/store"
)

// Item is a key with its value.
type Item struct {
	Key   string
	Value []byte
	Err   error
}

// ListAll sends every key under prefix to out and closes it.
func ListAll(ctx context.Context, l store.Lister, prefix string, out chan<- string) error {
	defer close(out)
	cursor := ""
	for {
		page, err := l.List(ctx, store.ListQuery{Prefix: prefix, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, e := range page.Entries {
			select {
			case out <- e.Key:
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

// ListBudget is ListAll with a ceiling on the number of pages read. It
// returns the cursor to resume from, or "" when the listing finished.
func ListBudget(ctx context.Context, l store.Lister, prefix, cursor string, maxPages int, out chan<- string) (string, error) {
	defer close(out)
	for i := 0; i < maxPages; i++ {
		page, err := l.List(ctx, store.ListQuery{Prefix: prefix, Cursor: cursor, Limit: 500})
		if err != nil {
			return cursor, err
		}
		for _, e := range page.Entries {
			select {
			case out <- e.Key:
			case <-ctx.Done():
				return cursor, ctx.Err()
			}
		}
		if page.Complete {
			return "", nil
		}
		cursor = page.Cursor
	}
	return cursor, nil
}

// Fetch reads the value of every key from in with n goroutines.
func Fetch(ctx context.Context, g store.Getter, in <-chan string, n int) <-chan Item {
	out := make(chan Item)
	var wg sync.WaitGroup
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for key := range in {
				v, err := g.Get(ctx, key) // DEBATABLE kvlist
				select {
				case out <- Item{Key: key, Value: v, Err: err}:
				case <-ctx.Done():
					return
				}
			}
		}()
	}
	go func() {
		wg.Wait()
		close(out)
	}()
	return out
}

// Rewrite applies fn to each item and writes the result back to the same
// key. fn returning nil leaves the key alone.
func Rewrite(ctx context.Context, p store.Putter, in <-chan Item, n int, fn func(Item) []byte) (int, error) {
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		count int
		first error
	)
	for range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for it := range in {
				if it.Err != nil {
					continue
				}
				nv := fn(it)
				if nv == nil {
					continue
				}
				err := p.Put(ctx, it.Key, nv, store.PutOptions{}) // DEBATABLE kvrace
				mu.Lock()
				if err != nil && first == nil {
					first = err
				}
				if err == nil {
					count++
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return count, first
}

package kvhotkey

import (
	"errors"
	"maps"
	"slices"
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

// guarded runs f and turns a panic into an error.
func guarded(f func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = errors.New("panicked")
		}
	}()
	return f()
}

// Each goroutine started in the body of a range over an iterator writes
// the same marker: as many writes of one key as there are shows.
func refreshShows(ns *kv.Namespace, shows []string) []error { // want refreshShows:"kvhotkey"
	var wg sync.WaitGroup
	errs := make([]error, len(shows))
	for i, show := range slices.All(shows) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			errs[i] = guarded(func() error {
				if err := ns.PutString("feed/"+show, "<rss/>", nil); err != nil {
					return err
				}
				return ns.PutString("cron/last-show", show, nil) // want `this loop writes the same KV key on every iteration`
			})
		}()
	}
	wg.Wait()
	return errs
}

// The same, started directly, over a map's keys.
func touchAll(ns *kv.Namespace, seen map[string]bool) { // want touchAll:"kvhotkey"
	var wg sync.WaitGroup
	for id := range maps.Keys(seen) {
		wg.Go(func() {
			_ = ns.PutString("touch/latest", id, nil) // want `this loop writes the same KV key on every iteration`
		})
	}
	wg.Wait()
}

// Quiet: each goroutine writes its own show's key.
func renderShows(ns *kv.Namespace, shows []string) {
	var wg sync.WaitGroup
	for _, show := range slices.All(shows) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_ = guarded(func() error { return ns.PutString("render/"+show, "<rss/>", nil) })
		}()
	}
	wg.Wait()
}

// Quiet: the key is the loop's own variable, captured by the goroutine.
func markEachShow(ns *kv.Namespace, ids []string) {
	var wg sync.WaitGroup
	for id := range slices.Values(ids) {
		wg.Go(func() { _ = ns.PutString(id, "1", nil) })
	}
	wg.Wait()
}

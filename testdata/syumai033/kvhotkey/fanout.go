package kvhotkey

import (
	"sync"

	"github.com/syumai/workers/cloudflare/kv"
)

// parallel runs f for each item, in goroutines it waits for.
func parallel(items []string, f func(string)) {
	var wg sync.WaitGroup
	for _, it := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			f(it)
		}()
	}
	wg.Wait()
}

// eachIndex runs f on every index from a few workers, as conc's
// iter.ForEachIdx does, and waits for them.
func eachIndex(n int, f func(int)) {
	var mu sync.Mutex
	next := 0
	task := func() {
		for {
			mu.Lock()
			i := next
			next++
			mu.Unlock()
			if i >= n {
				return
			}
			f(i)
		}
	}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(task)
	}
	wg.Wait()
}

// later keeps f to run when the process shuts down.
func later(hooks *[]func(), f func()) {
	*hooks = append(*hooks, func() { f() })
}

func stampParallel(ns *kv.Namespace, ids []string) { // want stampParallel:"kvhotkey"
	parallel(ids, func(id string) {
		_ = ns.PutString("stamp:"+id, "1", nil)
		_ = ns.PutString("stamp:newest", id, nil) // want `this loop writes the same KV key on every iteration`
	})
}

func stampIndexes(ns *kv.Namespace, ids []string) { // want stampIndexes:"kvhotkey"
	eachIndex(len(ids), func(i int) {
		_ = ns.PutString("stamp:last-index", ids[i], nil) // want `this loop writes the same KV key on every iteration`
	})
}

// Quiet: each item its own key; and a hook that runs once.
func stampOwn(ns *kv.Namespace, ids []string, hooks *[]func()) {
	parallel(ids, func(id string) { _ = ns.PutString("stamp:"+id, "1", nil) })
	later(hooks, func() { _ = ns.PutString("stamp:shutdown", "1", nil) })
}

package kvlist

import (
	"context"

	"github.com/syumai/workers/cloudflare/kv"
)

// keysOf hands out the keys under prefix, one by one, from a goroutine
// that pages through the listing for at most maxPages pages.
func keysOf(ctx context.Context, ns *kv.Namespace, prefix string, maxPages int) (<-chan string, <-chan error) {
	out := make(chan string)
	errc := make(chan error, 1)
	go func() {
		defer close(errc)
		defer close(out)
		cursor := ""
		for page := 0; page < maxPages; page++ {
			res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
			if err != nil {
				errc <- err
				return
			}
			for _, k := range res.Keys {
				select {
				case out <- k.Name:
				case <-ctx.Done():
					return
				}
			}
			if res.ListComplete {
				return
			}
			cursor = res.Cursor
		}
	}()
	return out, errc
}

// One get per key the iterator hands out.
func totals(ctx context.Context, ns *kv.Namespace, account string) (int, error) { // want totals:"kvlist"
	keys, errc := keysOf(ctx, ns, "events/"+account+"/", 10)
	n := 0
	for k := range keys {
		v, err := ns.GetString(k, nil) // want `one get per listed key \(N\+1\)`
		if err != nil {
			return n, err
		}
		n += len(v)
	}
	return n, <-errc
}

// Quiet: the keys themselves are all this needs.
func count(ctx context.Context, ns *kv.Namespace, account string) (int, error) {
	keys, errc := keysOf(ctx, ns, "events/"+account+"/", 10)
	n := 0
	for range keys {
		n++
	}
	return n, <-errc
}

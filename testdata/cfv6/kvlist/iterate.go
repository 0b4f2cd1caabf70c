package kvlist

import (
	"context"
	"iter"
	"sync"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// An iterator over the auto-pager: whether it is bounded is for the range
// over it to say.
func (s *store) keys(ctx context.Context, prefix string) iter.Seq2[string, error] { // want keys:"kvlist iterator"
	return func(yield func(string, error) bool) {
		params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F(prefix)}
		pager := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.ns, params)
		for pager.Next() {
			if !yield(pager.Current().Name, nil) {
				return
			}
		}
		if err := pager.Err(); err != nil {
			yield("", err)
		}
	}
}

func (s *store) get(ctx context.Context, key string) (string, error) {
	res, err := s.client.KV.Namespaces.Values.Get(ctx, s.ns, key, kv.NamespaceValueGetParams{AccountID: cloudflare.F(s.account)})
	if err != nil {
		return "", err
	}
	defer res.Body.Close()
	return res.Header.Get("etag"), nil
}

// The range only a failure ends, and a pool of workers that reads each
// key the range sends them.
func (s *store) export(ctx context.Context) map[string]string { // want export:"kvlist"
	names := make(chan string)
	out := make(map[string]string)
	var mu sync.Mutex
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for name := range names {
				v, err := s.get(ctx, name) // want `one get per listed key \(N\+1\)`
				if err != nil {
					continue
				}
				mu.Lock()
				out[name] = v
				mu.Unlock()
			}
		}()
	}
	for name, err := range s.keys(ctx, "cert:") { // want `unbounded listing`
		if err != nil {
			break
		}
		names <- name
	}
	close(names)
	wg.Wait()
	return out
}

// Quiet: the range stops at a budget.
func (s *store) firstCerts(ctx context.Context, max int) []string {
	var out []string
	for name, err := range s.keys(ctx, "cert:") {
		if err != nil || len(out) == max {
			break
		}
		out = append(out, name)
	}
	return out
}

// Package listing pages through keys with range-over-func iterators: a
// Lister port whose adapter is one, a helper that hands a store's
// Lister on, and the loops that range over them.
package listing

import (
	"context"
	"errors"
	"iter"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"

	"kvlint.test/ports/store"
)

// Lister is the optional capability of a store that can list.
type Lister interface {
	Keys(ctx context.Context, prefix string) iter.Seq2[string, error]
}

// KV is the adapter: it pages through every key under prefix for as long
// as the caller keeps ranging.
type KV struct {
	Client        *cloudflare.Client
	Account, NSID string
}

func (s *KV) Keys(ctx context.Context, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		cursor := ""
		for {
			params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.Account), Prefix: cloudflare.F(prefix)}
			if cursor != "" {
				params.Cursor = cloudflare.F(cursor)
			}
			res, err := s.Client.KV.Namespaces.Keys.List(ctx, s.NSID, params)
			if err != nil {
				yield("", err)
				return
			}
			for _, k := range res.Result {
				if !yield(k.Name, nil) {
					return
				}
			}
			if res.ResultInfo.Cursor == "" {
				return
			}
			cursor = res.ResultInfo.Cursor
		}
	}
}

var errUnsupported = errors.New("store cannot list")

// Keys hands on s's listing when it can list.
func Keys(ctx context.Context, s any, prefix string) iter.Seq2[string, error] {
	if l, ok := s.(Lister); ok {
		return l.Keys(ctx, prefix)
	}
	return func(yield func(string, error) bool) { yield("", errUnsupported) }
}

// Count drains the listing: its cost grows with the namespace.
func Count(ctx context.Context, l Lister, prefix string) (int, error) {
	n := 0
	for _, err := range l.Keys(ctx, prefix) {
		if err != nil {
			return n, err
		}
		n++
	}
	return n, nil
}

// Export reads at most max listed keys, one get each.
func Export(ctx context.Context, s store.Store, lister any, prefix string, max int) (map[string][]byte, error) {
	out := make(map[string][]byte)
	for key, err := range Keys(ctx, lister, prefix) {
		if err != nil {
			return out, err
		}
		if len(out) >= max {
			break
		}
		v, err := s.Get(ctx, key)
		if err != nil {
			return out, err
		}
		out[key] = v
	}
	return out, nil
}

// Quiet: a sample that stops at n keys.
func Sample(ctx context.Context, l Lister, prefix string, n int) ([]string, error) {
	var keys []string
	for k, err := range l.Keys(ctx, prefix) {
		if err != nil {
			return keys, err
		}
		keys = append(keys, k)
		if len(keys) == n {
			break
		}
	}
	return keys, nil
}

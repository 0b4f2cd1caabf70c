package kvlist

import (
	"context"
	"errors"
	"strings"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

var errBudget = errors.New("key budget exhausted")

// Quiet: the keys gathered are counted against the caller's budget, and
// the walk ends with an error when it is spent.
func (s *store) keysWithin(ctx context.Context, prefix string, budget int) ([]kv.Key, error) {
	pager := s.client.KV.Namespaces.Keys.ListAutoPaging(ctx, s.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
	})
	var out []kv.Key
	for pager.Next() {
		if len(out) == budget {
			return out, errBudget
		}
		out = append(out, pager.Current())
	}
	return out, pager.Err()
}

// Quiet: twenty completions of what a user types are all a suggestion
// box shows.
func (s *store) completions(ctx context.Context, typed string) ([]string, error) {
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F("ac:" + typed),
		Limit:     cloudflare.F(20.0),
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range page.Result {
		out = append(out, strings.TrimPrefix(k.Name, "ac:"))
	}
	return out, nil
}

// A page of a hundred used as if it were every key under the prefix.
func (s *store) tagged(ctx context.Context, tag string) ([]string, error) { // want tagged:"kvlist"
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, kv.NamespaceKeyListParams{ // want `only the first page of this list is used`
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F("tag:" + tag + ":"),
		Limit:     cloudflare.F(100.0),
	})
	if err != nil {
		return nil, err
	}
	var out []string
	for _, k := range page.Result {
		out = append(out, k.Name)
	}
	return out, nil
}

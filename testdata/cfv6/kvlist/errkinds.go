package kvlist

import (
	"context"
	"errors"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

var errGone = errors.New("gone")

// listPage lists one page from cursor; "" when it was the last.
func (s *store) listPage(ctx context.Context, prefix, cursor string) ([]kv.Key, string, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.account), Prefix: cloudflare.F(prefix), Limit: cloudflare.F(1000.0)}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
	if err != nil {
		return nil, "", err
	}
	return page.Result, page.ResultInfo.Cursor, nil
}

// The loop leaves early only where a key could not be read, and asking
// which failure it was is no budget.
func (s *store) backlog(ctx context.Context) ([]string, error) { // want backlog:"kvlist"
	var out []string
	cursor := ""
	for {
		keys, next, err := s.listPage(ctx, "remind:", cursor) // want `unbounded listing`
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			v, err := s.get(ctx, k.Name) // want `one get per listed key \(N\+1\)`
			if err != nil {
				if errors.Is(err, errGone) {
					continue
				}
				return nil, err
			}
			out = append(out, v)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

// Quiet: the loop stops at a budget of pages.
func (s *store) firstPages(ctx context.Context) ([]string, error) {
	var out []string
	cursor := ""
	for pages := 0; pages < 5; pages++ {
		keys, next, err := s.listPage(ctx, "remind:", cursor)
		if err != nil {
			return nil, err
		}
		for _, k := range keys {
			out = append(out, k.Name)
		}
		if next == "" {
			break
		}
		cursor = next
	}
	return out, nil
}

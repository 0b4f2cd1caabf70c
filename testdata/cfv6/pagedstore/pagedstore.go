// Package pagedstore is a team's adapter whose List sets a page size only
// when it is given one.
package pagedstore

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Page is one page of keys and the cursor of the next.
type Page struct {
	Keys   []kv.Key
	Cursor string
}

// Store lists one namespace.
type Store struct {
	Client  *cloudflare.Client
	Account string
	NS      string
}

// List returns one page; a limit of 0 leaves KV's default of 1,000.
func (s *Store) List(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.Account), Prefix: cloudflare.F(prefix)}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	if limit > 0 {
		params.Limit = cloudflare.F(float64(limit))
	}
	res, err := s.Client.KV.Namespaces.Keys.List(ctx, s.NS, params)
	if err != nil {
		return Page{}, err
	}
	return Page{Keys: res.Result, Cursor: res.ResultInfo.Cursor}, nil
}

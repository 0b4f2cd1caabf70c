//go:build !js

package kvstore

import (
	"context"
	"fmt"
	"strings"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
)

// Page is one page of key names and the cursor to the next one.
type Page struct {
	Names  []string
	Cursor string
}

// ListPage returns a single page of keys under prefix.
func (s *Store) ListPage(ctx context.Context, prefix, cursor string, limit int) (Page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.accountID),
		Prefix:    cloudflare.F(prefix),
		Limit:     cloudflare.F(float64(limit)),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	res, err := s.api.KV.Namespaces.Keys.List(ctx, s.nsID, params)
	if err != nil {
		return Page{}, err
	}
	p := Page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		p.Names = append(p.Names, k.Name)
	}
	return p, nil
}

// Names returns every key under prefix.
func (s *Store) Names(ctx context.Context, prefix string) ([]string, error) {
	return s.listFrom(ctx, prefix, "")
}

func (s *Store) listFrom(ctx context.Context, prefix, cursor string) ([]string, error) {
	page, err := s.ListPage(ctx, prefix, cursor, 1000) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	if page.Cursor == "" {
		return page.Names, nil
	}
	rest, err := s.listFrom(ctx, prefix, page.Cursor)
	return append(page.Names, rest...), err
}

// NamesUpTo returns at most maxPages pages of keys under prefix and the
// cursor to resume from, empty when the listing is complete.
func (s *Store) NamesUpTo(ctx context.Context, prefix string, maxPages int) ([]string, string, error) {
	return s.listBudget(ctx, prefix, "", maxPages)
}

func (s *Store) listBudget(ctx context.Context, prefix, cursor string, budget int) ([]string, string, error) {
	if budget <= 0 {
		return nil, cursor, nil
	}
	page, err := s.ListPage(ctx, prefix, cursor, 1000)
	if err != nil {
		return nil, cursor, err
	}
	if page.Cursor == "" {
		return page.Names, "", nil
	}
	rest, next, err := s.listBudget(ctx, prefix, page.Cursor, budget-1)
	return append(page.Names, rest...), next, err
}

// Folders walks the key hierarchy below root one "/" segment at a time
// and calls visit for every leaf key. depth bounds the recursion and each
// level reads at most maxPages pages.
func (s *Store) Folders(ctx context.Context, root string, depth, maxPages int, visit func(key string) error) error {
	if depth == 0 {
		return nil
	}
	names, more, err := s.NamesUpTo(ctx, root, maxPages)
	if err != nil {
		return err
	}
	if more != "" {
		return fmt.Errorf("kvstore: %s has more than %d pages", root, maxPages)
	}
	seen := map[string]bool{}
	for _, name := range names {
		rest := strings.TrimPrefix(name, root)
		head, _, nested := strings.Cut(rest, "/")
		if !nested {
			if err := visit(name); err != nil {
				return err
			}
			continue
		}
		sub := root + head + "/"
		if seen[sub] {
			continue
		}
		seen[sub] = true
		if err := s.Folders(ctx, sub, depth-1, maxPages, visit); err != nil {
			return err
		}
	}
	return nil
}

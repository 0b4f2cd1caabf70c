//go:build !js

package kvrest

import (
	"context"
	"errors"
	"fmt"
	"strings"

	cloudflare "github.com/cloudflare/cloudflare-go/v3"
	"github.com/cloudflare/cloudflare-go/v3/kv"
)

// KeysUnder returns every key name under prefix, following cursors.
func (s *Store) KeysUnder(ctx context.Context, prefix string) ([]string, error) {
	return s.listFrom(ctx, prefix, "")
}

func (s *Store) listFrom(ctx context.Context, prefix, cursor string) ([]string, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(prefix),
	}
	if cursor != "" {
		params.Cursor = cloudflare.F(cursor)
	}
	page, err := s.api.KV.Namespaces.Keys.List(ctx, s.ns, params) // EXPECT kvlist
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(page.Result))
	for _, k := range page.Result {
		names = append(names, k.Name)
	}
	next := page.ResultInfo.Cursor
	if next == "" {
		return names, nil
	}
	rest, err := s.listFrom(ctx, prefix, next)
	return append(names, rest...), err
}

// ErrPageBudget is returned with the keys gathered so far when a walk runs
// out of pages.
var ErrPageBudget = errors.New("kvrest: page budget exhausted")

// KeysUnderBudget is KeysUnder with at most pages requests.
func (s *Store) KeysUnderBudget(ctx context.Context, prefix string, pages int) ([]string, error) {
	return s.listBudget(ctx, prefix, "", pages)
}

func (s *Store) listBudget(ctx context.Context, prefix, cursor string, pagesLeft int) ([]string, error) {
	if pagesLeft <= 0 {
		return nil, ErrPageBudget
	}
	page, next, err := s.Page(ctx, prefix, cursor, 1000)
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, len(page))
	for _, k := range page {
		names = append(names, k.Name)
	}
	if next == "" {
		return names, nil
	}
	rest, err := s.listBudget(ctx, prefix, next, pagesLeft-1)
	return append(names, rest...), err
}

// Folder is a node in the slash-separated key hierarchy.
type Folder struct {
	Prefix   string
	Keys     []string
	Children []*Folder
}

// Tree groups the keys under prefix into folders, descending at most depth
// levels. Each level is read with a page budget.
func (s *Store) Tree(ctx context.Context, prefix string, depth, pages int) (*Folder, error) {
	names, err := s.KeysUnderBudget(ctx, prefix, pages)
	if err != nil && !errors.Is(err, ErrPageBudget) {
		return nil, err
	}
	f := &Folder{Prefix: prefix}
	seen := map[string]bool{}
	for _, n := range names {
		rest := strings.TrimPrefix(n, prefix)
		dir, _, nested := strings.Cut(rest, "/")
		if !nested || depth <= 0 {
			f.Keys = append(f.Keys, n)
			continue
		}
		if seen[dir] {
			continue
		}
		seen[dir] = true
		child, cerr := s.Tree(ctx, prefix+dir+"/", depth-1, pages)
		if cerr != nil {
			return f, fmt.Errorf("kvrest: tree %s: %w", prefix+dir, cerr)
		}
		f.Children = append(f.Children, child)
	}
	return f, err
}

// Visit calls fn for every key in the folder and its children, depth first.
func (f *Folder) Visit(fn func(key string) error) error {
	var errs []error
	for _, k := range f.Keys {
		if err := fn(k); err != nil {
			errs = append(errs, err)
		}
	}
	for _, c := range f.Children {
		if err := c.Visit(fn); err != nil {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

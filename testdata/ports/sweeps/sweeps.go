// Package sweeps deletes the keys under a prefix through a listing port
// of its own, whose adapter lists with cloudflare-go v6.
package sweeps

import (
	"context"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// Query is one page's request.
type Query struct {
	Prefix, Cursor string
	Limit          int
}

// Page is one page of names and the cursor to the next.
type Page struct {
	Names  []string
	Cursor string
}

// Done reports whether this is the last page.
func (p Page) Done() bool { return p.Cursor == "" }

// Pages is the port.
type Pages interface {
	List(ctx context.Context, q Query) (Page, error)
	Delete(ctx context.Context, key string) error
}

// KV is the adapter.
type KV struct {
	Client        *cloudflare.Client
	Account, NSID string
}

func (s *KV) List(ctx context.Context, q Query) (Page, error) {
	params := kv.NamespaceKeyListParams{AccountID: cloudflare.F(s.Account), Limit: cloudflare.F(float64(q.Limit))}
	if q.Prefix != "" {
		params.Prefix = cloudflare.F(q.Prefix)
	}
	if q.Cursor != "" {
		params.Cursor = cloudflare.F(q.Cursor)
	}
	res, err := s.Client.KV.Namespaces.Keys.List(ctx, s.NSID, params)
	if err != nil {
		return Page{}, err
	}
	p := Page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		p.Names = append(p.Names, k.Name)
	}
	return p, nil
}

func (s *KV) Delete(ctx context.Context, key string) error {
	_, err := s.Client.KV.Namespaces.Values.Delete(ctx, s.NSID, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.Account)})
	return err
}

// Sweeper deletes at most MaxPages pages of keys.
type Sweeper struct {
	Pages    Pages
	MaxPages int
}

// Sweep rebuilds the query for the next page without the prefix: from
// page two on, it deletes keys outside the lobby.
func (s Sweeper) Sweep(ctx context.Context, lobby string) error {
	q := Query{Prefix: "presence:" + lobby + ":", Limit: 100}
	for pages := 0; pages < s.MaxPages; pages++ {
		page, err := s.Pages.List(ctx, q)
		if err != nil {
			return err
		}
		for _, name := range page.Names {
			if err := s.Pages.Delete(ctx, name); err != nil {
				return err
			}
		}
		if page.Done() {
			return nil
		}
		q = Query{Cursor: page.Cursor, Limit: q.Limit}
	}
	return nil
}

// SweepKept keeps the prefix: quiet.
func (s Sweeper) SweepKept(ctx context.Context, lobby string) error {
	q := Query{Prefix: "presence:" + lobby + ":", Limit: 100}
	for pages := 0; pages < s.MaxPages; pages++ {
		page, err := s.Pages.List(ctx, q)
		if err != nil {
			return err
		}
		if page.Done() {
			return nil
		}
		q = Query{Prefix: q.Prefix, Cursor: page.Cursor, Limit: q.Limit}
	}
	return nil
}

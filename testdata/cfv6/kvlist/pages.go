package kvlist

import (
	"cmp"
	"context"
	"slices"
	"sync"

	"github.com/cloudflare/cloudflare-go/v6"
	"github.com/cloudflare/cloudflare-go/v6/kv"
)

// A page adapter of the team's own: Done says whether more pages follow,
// and the limit defaults with cmp.Or.
type entry struct{ Name string }

type page struct {
	Entries []entry
	Cursor  string
}

func (p page) Done() bool { return p.Cursor == "" }

type listOptions struct {
	Prefix, Cursor string
	Limit          int
}

func (s *store) page(ctx context.Context, o listOptions) (page, error) {
	params := kv.NamespaceKeyListParams{
		AccountID: cloudflare.F(s.account),
		Prefix:    cloudflare.F(o.Prefix),
		Limit:     cloudflare.F(float64(min(cmp.Or(o.Limit, 1000), 1000))),
	}
	if o.Cursor != "" {
		params.Cursor = cloudflare.F(o.Cursor)
	}
	res, err := s.client.KV.Namespaces.Keys.List(ctx, s.ns, params)
	if err != nil {
		return page{}, err
	}
	p := page{Cursor: res.ResultInfo.Cursor}
	for _, k := range res.Result {
		p.Entries = append(p.Entries, entry{Name: k.Name})
	}
	return p, nil
}

// The limit left to its default of 1,000: the first page is not all.
func (s *store) revokeAll(ctx context.Context, user string) (int, error) { // want revokeAll:"kvlist"
	p, err := s.page(ctx, listOptions{Prefix: "sess:" + user + ":"}) // want `only the first page of this list is used`
	if err != nil {
		return 0, err
	}
	for _, e := range p.Entries {
		if err := s.drop(ctx, e.Name); err != nil {
			return 0, err
		}
	}
	return len(p.Entries), nil
}

func (s *store) drop(ctx context.Context, key string) error {
	_, err := s.client.KV.Namespaces.Values.Delete(ctx, s.ns, key, kv.NamespaceValueDeleteParams{AccountID: cloudflare.F(s.account)})
	return err
}

// Quiet: Done is looked at.
func (s *store) purge(ctx context.Context, prefix string) (bool, error) {
	p, err := s.page(ctx, listOptions{Prefix: prefix})
	if err != nil {
		return false, err
	}
	for _, e := range p.Entries {
		if err := s.drop(ctx, e.Name); err != nil {
			return false, err
		}
	}
	return p.Done(), nil
}

// One get per listed key, in goroutines over chunks of the page.
func (s *store) snapshot(ctx context.Context, cursor string) (map[string]string, string, error) { // want snapshot:"kvlist"
	p, err := s.page(ctx, listOptions{Prefix: "cfg:", Cursor: cursor, Limit: 500})
	if err != nil {
		return nil, "", err
	}
	var mu sync.Mutex
	var wg sync.WaitGroup
	out := make(map[string]string)
	for chunk := range slices.Chunk(p.Entries, 50) {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for _, e := range chunk {
				v, err := s.get(ctx, e.Name) // want `one get per listed key \(N\+1\)`
				if err == nil {
					mu.Lock()
					out[e.Name] = v
					mu.Unlock()
				}
			}
		}()
	}
	wg.Wait()
	return out, p.Cursor, nil
}

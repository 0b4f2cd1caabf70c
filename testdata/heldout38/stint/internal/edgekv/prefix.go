//go:build js && wasm

package edgekv

import (
	"errors"
	"strings"

	"github.com/syumai/workers/cloudflare/kv"
)

// Prefix is a key prefix such as "slot:c12:".
type Prefix string

// Key joins parts onto the prefix with ':'.
func (p Prefix) Key(parts ...string) string {
	return string(p) + strings.Join(parts, ":")
}

// Page returns one page of key names and the cursor for the next one ("" when
// the listing is complete).
func (p Prefix) Page(s *Store, cursor string, limit int) ([]string, string, error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: string(p), Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	names := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}

// ErrBudget is returned by Walk when it stops before the end of the listing.
var ErrBudget = errors.New("edgekv: walk budget exhausted")

// Walk calls fn for each key under the prefix, reading at most maxPages pages.
func (p Prefix) Walk(s *Store, maxPages int, fn func(name string, expiration int) error) error {
	opts := &kv.ListOptions{Prefix: string(p), Limit: 1000}
	for range maxPages {
		res, err := s.ns.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := fn(k.Name, k.Expiration); err != nil {
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		opts.Cursor = res.Cursor
	}
	return ErrBudget
}

package store

import (
	"context"
	"errors"
)

// Stop can be returned by an Each callback to end the walk early without
// an error.
var Stop = errors.New("store: stop scan")

const (
	defaultPageSize = 1000
	defaultMaxPages = 10
)

// Scanner walks the keys under a prefix page by page, up to a page budget.
//
//	err := store.Scan(st).Prefix("inv:").Limit(200).Each(ctx, fn)
type Scanner struct {
	st       Store
	prefix   string
	limit    int
	maxPages int
}

// Scan starts a walk over st.
func Scan(st Store) *Scanner {
	return &Scanner{st: st, limit: defaultPageSize, maxPages: defaultMaxPages}
}

// Prefix restricts the walk to keys starting with p.
func (s *Scanner) Prefix(p string) *Scanner { s.prefix = p; return s }

// Limit sets the page size sent to the store.
func (s *Scanner) Limit(n int) *Scanner { s.limit = n; return s }

// Pages sets the page budget.
func (s *Scanner) Pages(n int) *Scanner {
	if n > 0 {
		s.maxPages = n
	}
	return s
}

// Each calls fn for every key until the listing completes, fn returns Stop
// or an error, or the page budget runs out (ErrTruncated).
func (s *Scanner) Each(ctx context.Context, fn func(k Key) error) error {
	cursor := ""
	for range s.maxPages {
		page, err := s.st.List(ctx, ListQuery{Prefix: s.prefix, Cursor: cursor, Limit: s.limit})
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if err := fn(k); err != nil {
				if errors.Is(err, Stop) {
					return nil
				}
				return err
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
	return ErrTruncated
}

// Names collects the key names of the walk.
func (s *Scanner) Names(ctx context.Context) ([]string, error) {
	var out []string
	err := s.Each(ctx, func(k Key) error {
		out = append(out, k.Name)
		return nil
	})
	return out, err
}

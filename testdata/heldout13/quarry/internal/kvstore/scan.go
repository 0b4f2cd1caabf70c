package kvstore

import (
	"context"
	"errors"
)

// ErrTruncated is returned by Each when the page budget ran out before the
// listing was complete.
var ErrTruncated = errors.New("kvstore: scan truncated by page budget")

const (
	defaultMaxPages = 20
	defaultPageSize = 1000
)

// Scanner is a small query builder over paginated List calls:
//
//	kvstore.Scan(st).Prefix("inv:").Limit(200).Each(ctx, fn)
type Scanner struct {
	st       Store
	prefix   string
	pageSize int
	limit    int
	maxPages int
}

// Scan starts a scan over st.
func Scan(st Store) *Scanner {
	return &Scanner{st: st, pageSize: defaultPageSize, maxPages: defaultMaxPages}
}

// Prefix restricts the scan to keys starting with p.
func (s *Scanner) Prefix(p string) *Scanner { s.prefix = p; return s }

// PageSize sets the number of keys requested per List call.
func (s *Scanner) PageSize(n int) *Scanner { s.pageSize = n; return s }

// Limit caps the total number of keys visited (0 = no cap beyond the page budget).
func (s *Scanner) Limit(n int) *Scanner { s.limit = n; return s }

// Each calls fn for every key, following cursors until the listing is complete,
// the key limit is reached or the page budget is spent.
func (s *Scanner) Each(ctx context.Context, fn func(Key) error) error {
	cursor := ""
	seen := 0
	for range s.maxPages {
		page, err := s.st.List(ctx, ListRequest{Prefix: s.prefix, Cursor: cursor, Limit: s.pageSize})
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if s.limit > 0 && seen >= s.limit {
				return nil
			}
			seen++
			if err := fn(k); err != nil {
				return err
			}
		}
		if page.Cursor == "" {
			return nil
		}
		cursor = page.Cursor
	}
	return ErrTruncated
}

// Names collects the key names of the scan.
func (s *Scanner) Names(ctx context.Context) ([]string, error) {
	var names []string
	err := s.Each(ctx, func(k Key) error {
		names = append(names, k.Name)
		return nil
	})
	return names, err
}

package storage

import (
	"context"
	"fmt"
)

// Scanner is a small query builder over List:
//
//	storage.Scan(st).Prefix("inv:").Limit(200).Each(ctx, fn)
type Scanner struct {
	st     Store
	prefix string
	limit  int
	cursor string
}

// Scan starts a listing of st.
func Scan(st Store) *Scanner {
	return &Scanner{st: st}
}

// Prefix restricts the scan to keys starting with p.
func (s *Scanner) Prefix(p string) *Scanner {
	s.prefix = p
	return s
}

// Limit sets the page size.
func (s *Scanner) Limit(n int) *Scanner {
	s.limit = n
	return s
}

// After resumes from a cursor returned by First or Collect.
func (s *Scanner) After(cursor string) *Scanner {
	s.cursor = cursor
	return s
}

func (s *Scanner) request(cursor string) ListRequest {
	return ListRequest{Prefix: s.prefix, Cursor: cursor, Limit: s.limit}
}

// First returns a single page; callers pass page.Cursor back via After.
func (s *Scanner) First(ctx context.Context) (Page, error) {
	return s.st.List(ctx, s.request(s.cursor))
}

// collectPages bounds Collect when pages come back sparse.
const collectPages = 100

// Collect gathers at most max keys and returns the cursor to continue from.
func (s *Scanner) Collect(ctx context.Context, max int) ([]Key, string, error) {
	var out []Key
	cursor := s.cursor
	for pages := 0; len(out) < max && pages < collectPages; pages++ {
		page, err := s.st.List(ctx, s.request(cursor))
		if err != nil {
			return out, cursor, fmt.Errorf("scan %q: %w", s.prefix, err)
		}
		out = append(out, page.Keys...)
		cursor = page.Cursor
		if page.Done() {
			break
		}
	}
	return out, cursor, nil
}

// Each calls fn for every key under the prefix.
func (s *Scanner) Each(ctx context.Context, fn func(Key)) error {
	cursor := s.cursor
	for {
		page, err := s.st.List(ctx, s.request(cursor)) // EXPECT kvlist
		if err != nil {
			return fmt.Errorf("scan %q: %w", s.prefix, err)
		}
		for _, k := range page.Keys {
			fn(k)
		}
		if page.Done() {
			return nil
		}
		cursor = page.Cursor
	}
}

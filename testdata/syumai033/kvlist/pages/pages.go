// Package pages hands out a namespace's keys page by page, for the
// iterator cases of kvlist in the package that ranges over them.
package pages

import (
	"context"
	"errors"
	"iter"
	"log/slog"

	"github.com/syumai/workers/cloudflare/kv"
)

// Keys yields every key under prefix, following the cursor until the
// listing ends or the loop ranging over it stops.
func Keys(ns *kv.Namespace, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		opts := &kv.ListOptions{Prefix: prefix}
		for {
			res, err := ns.List(opts)
			if err != nil {
				yield("", err)
				return
			}
			for _, k := range res.Keys {
				if !yield(k.Name, nil) {
					return
				}
			}
			if res.ListComplete {
				return
			}
			opts = &kv.ListOptions{Prefix: prefix, Cursor: res.Cursor}
		}
	}
}

// TenantKeys hands on Keys under a tenant's prefix, or nothing for a
// tenant that has none.
func TenantKeys(ns *kv.Namespace, tenant string) iter.Seq2[string, error] {
	if tenant == "" {
		return func(yield func(string, error) bool) {}
	}
	return Keys(ns, "t:"+tenant+":")
}

// KeysContext is Keys that also notices a cancelled ctx between pages.
func KeysContext(ctx context.Context, ns *kv.Namespace, prefix string) iter.Seq2[string, error] {
	return func(yield func(string, error) bool) {
		cursor := ""
		for {
			if err := ctx.Err(); err != nil {
				yield("", err)
				return
			}
			res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
			if err != nil {
				yield("", err)
				return
			}
			for _, k := range res.Keys {
				if !yield(k.Name, nil) {
					return
				}
			}
			if res.ListComplete {
				return
			}
			cursor = res.Cursor
		}
	}
}

// Take stops seq after n pairs.
func Take[K, V any](seq iter.Seq2[K, V], n int) iter.Seq2[K, V] {
	return func(yield func(K, V) bool) {
		i := 0
		for k, v := range seq {
			if i == n || !yield(k, v) {
				return
			}
			i++
		}
	}
}

// Filter hands on the pairs of seq whose key keep accepts.
func Filter[V any](seq iter.Seq2[string, V], keep func(string) bool) iter.Seq2[string, V] {
	return func(yield func(string, V) bool) {
		for k, v := range seq {
			if keep(k) && !yield(k, v) {
				return
			}
		}
	}
}

// Walk hands every key under prefix to fn until fn returns false.
func Walk(ns *kv.Namespace, prefix string, fn func(key string) bool) error {
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if !fn(k.Name) {
				return nil
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
}

// Scanner lists a prefix page by page, at most pages pages.
type Scanner struct {
	ns     *kv.Namespace
	prefix string
	pages  int
}

func Scan(ns *kv.Namespace, prefix string) *Scanner {
	return &Scanner{ns: ns, prefix: prefix, pages: 10}
}

// Pages sets the page budget.
func (s *Scanner) Pages(n int) *Scanner { s.pages = n; return s }

// Stop ends a scan early, as no failure.
var Stop = errors.New("stop")

// Each hands fn every listed key, until fn fails or the budget is spent.
func (s *Scanner) Each(fn func(key string) error) error {
	cursor := ""
	for range s.pages {
		res, err := s.ns.List(&kv.ListOptions{Prefix: s.prefix, Cursor: cursor})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if err := fn(k.Name); err != nil {
				if errors.Is(err, Stop) {
					return nil
				}
				return err
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
	return nil
}

// LogJobs logs one page of job keys and hands back the cursor: nothing it
// lists goes into the context or the logger it is given.
func LogJobs(ctx context.Context, ns *kv.Namespace, log *slog.Logger, cursor string) (string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: "job:", Limit: 100, Cursor: cursor})
	if err != nil {
		return "", err
	}
	for _, k := range res.Keys {
		log.InfoContext(ctx, "job", "key", k.Name)
	}
	return res.Cursor, nil
}

// Page lists one page of keys under prefix from cursor, and returns the
// cursor of the next, "" at the end.
func Page(ns *kv.Namespace, prefix, cursor string, limit int) ([]string, string, error) {
	res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: limit})
	if err != nil {
		return nil, "", err
	}
	var names []string
	for _, k := range res.Keys {
		names = append(names, k.Name)
	}
	if res.ListComplete {
		return names, "", nil
	}
	return names, res.Cursor, nil
}

// Pager is a port that lists one page at a time.
type Pager interface {
	Page(prefix, cursor string) ([]string, string, error)
}

// Drain sends the keys of at most maxPages pages on out, and returns the
// cursor it stopped at, "" when the listing is complete.
func Drain(ns *kv.Namespace, prefix string, maxPages int, out chan<- string) (string, error) {
	defer close(out)
	cursor := ""
	for i := 0; i < maxPages; i++ {
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor})
		if err != nil {
			return cursor, err
		}
		for _, k := range res.Keys {
			out <- k.Name
		}
		if res.ListComplete {
			return "", nil
		}
		cursor = res.Cursor
	}
	return cursor, nil
}

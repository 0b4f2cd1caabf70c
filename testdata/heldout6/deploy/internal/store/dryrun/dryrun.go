// Package dryrun decorates a store.Store so that reads go through and writes
// are only reported.
package dryrun

import (
	"context"
	"fmt"
	"io"

	"example.com/deploy/internal/store"
)

// Store reports writes instead of performing them.
type Store struct {
	store.Store // Get and List go through
	out         io.Writer
	label       string
}

// New wraps next; planned writes are printed to out prefixed with label.
func New(next store.Store, out io.Writer, label string) *Store {
	return &Store{Store: next, out: out, label: label}
}

func (s *Store) Put(_ context.Context, key string, value []byte, opts ...store.PutOption) error {
	o := store.Apply(opts)
	fmt.Fprintf(s.out, "[dry-run %s] put %s (%d bytes, ttl=%s, expire_at=%v)\n", s.label, key, len(value), o.TTL, o.ExpireAt)
	return nil
}

func (s *Store) PutMany(_ context.Context, entries []store.Entry) error {
	for _, e := range entries {
		fmt.Fprintf(s.out, "[dry-run %s] put %s (%d bytes)\n", s.label, e.Key, len(e.Value))
	}
	return nil
}

func (s *Store) Delete(_ context.Context, key string) error {
	fmt.Fprintf(s.out, "[dry-run %s] delete %s\n", s.label, key)
	return nil
}

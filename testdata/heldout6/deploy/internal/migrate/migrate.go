// Package migrate copies keys from one namespace to another, e.g. when an
// environment moves to a new account or a namespace is split.
package migrate

import (
	"context"
	"log/slog"
	"time"

	"example.com/deploy/internal/store"
	"example.com/deploy/internal/workpool"
)

// Stats summarises a copy.
type Stats struct {
	Pages, Copied, Skipped int
}

// Copier copies src to dst.
type Copier struct {
	src, dst store.Store
	prefix   string
	workers  int
	log      *slog.Logger
}

// Option configures a Copier.
type Option func(*Copier)

func WithPrefix(p string) Option       { return func(c *Copier) { c.prefix = p } }
func WithWorkers(n int) Option         { return func(c *Copier) { c.workers = n } }
func WithLogger(l *slog.Logger) Option { return func(c *Copier) { c.log = l } }

// New returns a Copier.
func New(src, dst store.Store, opts ...Option) *Copier {
	c := &Copier{src: src, dst: dst, workers: 4, log: slog.Default()}
	for _, o := range opts {
		o(c)
	}
	return c
}

// Run performs the copy.
func (c *Copier) Run(ctx context.Context) (Stats, error) {
	var st Stats
	req := store.ListRequest{Prefix: c.prefix, Limit: 1000}
	for {
		page, err := c.src.List(ctx, req) // EXPECT kvlist
		if err != nil {
			return st, err
		}
		st.Pages++
		// Keys expiring within the next minute are not worth copying; the
		// bulk API would reject their expiration anyway.
		floor := time.Now().Add(time.Minute).Unix()
		entries := make([]store.Entry, 0, len(page.Keys))
		for _, k := range page.Keys {
			if k.ExpiresAt != 0 && k.ExpiresAt < floor {
				st.Skipped++
				continue
			}
			entries = append(entries, store.Entry{Key: k.Name, ExpiresAt: k.ExpiresAt, Metadata: k.Metadata})
		}
		err = workpool.Run(ctx, c.workers, indices(len(entries)), func(ctx context.Context, i int) error {
			v, err := c.src.Get(ctx, entries[i].Key) // DEBATABLE kvlist
			entries[i].Value = v
			return err
		})
		if err != nil {
			return st, err
		}
		if err := c.dst.PutMany(ctx, entries); err != nil {
			return st, err
		}
		st.Copied += len(entries)
		c.log.InfoContext(ctx, "migrate page", "page", st.Pages, "copied", st.Copied)
		if page.Complete() {
			return st, nil
		}
		req = store.ListRequest{Cursor: page.Cursor, Limit: 1000}
	}
}

func indices(n int) []int {
	out := make([]int, n)
	for i := range out {
		out[i] = i
	}
	return out
}

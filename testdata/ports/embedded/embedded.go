// Package embedded keeps the port embedded in a struct of its own, held
// in a service's field, and reads through a helper given that struct.
package embedded

import (
	"context"
	"time"

	"kvlint.test/ports/store"
)

// Pages is the port, with helpers of its own to come. Its Get and Set
// are the port's, promoted.
type Pages struct {
	store.Store
}

// Counter keeps where visitors came from.
type Counter struct {
	pages Pages
}

// New wires a counter.
func New(st store.Store) *Counter { return &Counter{pages: Pages{Store: st}} }

func load(ctx context.Context, g store.Getter, key string) (string, error) {
	raw, err := g.Get(ctx, key)
	return string(raw), err
}

// View reads the trail through the helper and writes it through the
// promoted Set: one store, one key.
func (c *Counter) View(ctx context.Context, page, from string) error {
	trail, err := load(ctx, c.pages, "trail:"+page)
	if err != nil {
		return err
	}
	return c.pages.Set(ctx, "trail:"+page, []byte(trail+","+from), time.Hour) // kvrace
}

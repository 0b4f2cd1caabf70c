// Package visits counts page visits through function values that main
// wires to the store: it sees neither the store nor its adapter.
package visits

import (
	"context"
	"strconv"
	"time"
)

// Deps are plain functions, so that tests can swap one at a time.
type Deps struct {
	Load func(ctx context.Context, key string) ([]byte, error)
	Save func(ctx context.Context, key string, v []byte, ttl time.Duration) error
}

type Counter struct{ D Deps }

// Visit counts one visit of page: a counter kept in KV.
func (c *Counter) Visit(ctx context.Context, page string) error {
	raw, err := c.D.Load(ctx, "visits:"+page)
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(string(raw))
	return c.D.Save(ctx, "visits:"+page, []byte(strconv.Itoa(n+1)), time.Hour) // kvcounter
}

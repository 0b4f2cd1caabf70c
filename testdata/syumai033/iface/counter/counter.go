// Package counter: a counter through the interface.
package counter

import (
	"context"
	"strconv"

	"kvlint.test/syumai033/iface"
)

func like(ctx context.Context, c iface.Cache, post string) error {
	v, _ := c.Get(ctx, "likes:"+post)
	n, _ := strconv.Atoi(v)
	return c.Put(ctx, "likes:"+post, strconv.Itoa(n+1), 0) // want `counter kept in KV`
}

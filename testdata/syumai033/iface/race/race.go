// Package race: read-modify-write through the interface.
package race

import (
	"context"
	"strings"
	"time"

	"kvlint.test/syumai033/iface"
)

func tag(ctx context.Context, c iface.Cache, post, t string) error {
	tags, err := c.Get(ctx, "tags:"+post)
	if err != nil {
		return err
	}
	return c.Put(ctx, "tags:"+post, strings.Join([]string{tags, t}, ","), time.Hour) // want `read-modify-write on one KV key`
}

package kvlimits

import (
	"context"
	"fmt"
)

type writeOpts struct{ label string }

type writeOpt func(*writeOpts)

type optStore struct{ c *client }

func (s *optStore) put(ctx context.Context, key, value string, opts ...writeOpt) error {
	var o writeOpts
	for _, f := range opts {
		f(&o)
	}
	return s.c.write(ctx, key, value)
}

// A zero-padded number wider than any key KV takes, made in a local.
func (c *client) archive(ctx context.Context, venue string, version int) error {
	k := fmt.Sprintf("archive:%s:%0600d", venue, version) // want `this key is at least 609 bytes long`
	return c.write(ctx, k, "x")
}

// The same given straight to a wrapper whose last parameter is variadic.
func (s *optStore) sequenced(ctx context.Context, project string, seq int64) error {
	return s.put(ctx, fmt.Sprintf("seq/%s/%0520d", project, seq), "x") // want `this key is at least 525 bytes long`
}

// Quiet: padded to a width KV takes, and a local changed before use.
func (s *optStore) numbered(ctx context.Context, project string, seq int64) error {
	k := fmt.Sprintf("seq/%s/%020d", project, seq)
	if project == "" {
		k = "seq/default"
	}
	return s.put(ctx, k, "x")
}

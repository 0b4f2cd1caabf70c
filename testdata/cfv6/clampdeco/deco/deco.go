// Package deco decorates a clampdeco.Writer.
package deco

import (
	"context"
	"time"

	"kvlint.test/cfv6/clampdeco"
)

const MinTTL = time.Minute

// Clamped raises a lifetime under MinTTL to MinTTL.
type Clamped struct{ Next clampdeco.Writer }

func (c *Clamped) Put(ctx context.Context, key, value string, opts ...clampdeco.PutOption) error {
	o := clampdeco.ApplyPut(opts)
	if o.TTL > 0 && o.TTL < MinTTL {
		o.TTL = MinTTL
	}
	return c.Next.Put(ctx, key, value, clampdeco.WithTTL(o.TTL))
}

// Logged passes the options on as they are.
type Logged struct{ Next clampdeco.Writer }

func (l *Logged) Put(ctx context.Context, key, value string, opts ...clampdeco.PutOption) error {
	return l.Next.Put(ctx, key, value, opts...)
}

// LowClamped raises a lifetime to a floor that is itself too low.
type LowClamped struct{ Next clampdeco.Writer }

func (c *LowClamped) Put(ctx context.Context, key, value string, opts ...clampdeco.PutOption) error {
	o := clampdeco.ApplyPut(opts)
	if o.TTL < 30*time.Second {
		o.TTL = 30 * time.Second
	}
	return c.Next.Put(ctx, key, value, clampdeco.WithTTL(o.TTL))
}

// Package unread keeps per-user, per-channel unread message counts and the
// badge number shown on the mobile app icon.
package unread

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Ops is the storage unread needs. main wires it to the KV namespace; tests
// wire it to a map.
type Ops struct {
	// Get returns the value and whether the key exists.
	Get func(ctx context.Context, key string) (string, bool, error)
	// Put writes value; ttlSeconds of 0 means no expiry.
	Put    func(ctx context.Context, key, value string, ttlSeconds int) error
	Delete func(ctx context.Context, key string) error
}

// ErrNotWired is returned when Ops is incomplete.
var ErrNotWired = errors.New("unread: storage operations not configured")

// Counter is the unread service.
type Counter struct {
	ops Ops
	now func() time.Time
}

// New returns a counter using ops.
func New(ops Ops) (*Counter, error) {
	if ops.Get == nil || ops.Put == nil || ops.Delete == nil {
		return nil, ErrNotWired
	}
	return &Counter{ops: ops, now: time.Now}, nil
}

func countKey(user, ws, ch string) string { return fmt.Sprintf("unread:%s:%s:%s", user, ws, ch) }
func badgeKey(user, ws string) string     { return fmt.Sprintf("unread:%s:%s:_badge", user, ws) }
func readAtKey(user, ws string) string    { return fmt.Sprintf("unread:%s:%s:_read_at", user, ws) }

// Count returns user's unread messages in the channel.
func (c *Counter) Count(ctx context.Context, user, ws, ch string) (int, error) {
	v, ok, err := c.ops.Get(ctx, countKey(user, ws, ch))
	if err != nil {
		return 0, err
	}
	if !ok || v == "" {
		return 0, nil
	}
	return strconv.Atoi(v)
}

// Increment adds by to user's unread count in the channel.
func (c *Counter) Increment(ctx context.Context, user, ws, ch string, by int) error {
	n, err := c.Count(ctx, user, ws, ch)
	if err != nil {
		return err
	}
	return c.ops.Put(ctx, countKey(user, ws, ch), strconv.Itoa(n+by), 0) // EXPECT kvcounter
}

// MarkRead clears the channel's count.
func (c *Counter) MarkRead(ctx context.Context, user, ws, ch string) error {
	return c.ops.Delete(ctx, countKey(user, ws, ch))
}

// MarkAllRead clears every listed channel and records when it happened.
func (c *Counter) MarkAllRead(ctx context.Context, user, ws string, channels []string) error {
	for _, ch := range channels {
		if err := c.ops.Delete(ctx, countKey(user, ws, ch)); err != nil {
			return err
		}
		stamp := c.now().UTC().Format(time.RFC3339Nano)
		if err := c.ops.Put(ctx, readAtKey(user, ws), stamp, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// Badge returns the total unread across channels. The mobile app polls it,
// so the total is cached briefly.
func (c *Counter) Badge(ctx context.Context, user, ws string, channels []string) (int, error) {
	bk := badgeKey(user, ws)
	if v, ok, err := c.ops.Get(ctx, bk); err == nil && ok {
		if n, err := strconv.Atoi(v); err == nil {
			return n, nil
		}
	}
	total := 0
	for _, ch := range channels {
		n, err := c.Count(ctx, user, ws, ch)
		if err != nil {
			return 0, err
		}
		total += n
	}
	if err := c.ops.Put(ctx, bk, strconv.Itoa(total),
		30); err != nil { // EXPECT kvttl
		return total, err
	}
	return total, nil
}

package kvstore

import (
	"context"
	"encoding/json"
	"errors"
	"strconv"
	"time"
)

// GetJSON decodes the value under key into v. It returns ErrNotFound for a
// missing key and leaves v untouched.
func (n *Namespace) GetJSON(ctx context.Context, key string, v any) error {
	raw, err := n.Get(ctx, key)
	if err != nil {
		return err
	}
	return json.Unmarshal(raw, v)
}

// PutJSON encodes v and stores it under key.
func (n *Namespace) PutJSON(ctx context.Context, key string, v any, ttl time.Duration) error {
	raw, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return n.Put(ctx, key, raw, ttl)
}

// Incr adds one to the decimal counter stored under key and returns the new
// value. A missing key counts as zero.
func (n *Namespace) Incr(ctx context.Context, key string, ttl time.Duration) (int64, error) {
	var cur int64
	raw, err := n.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if cur, err = strconv.ParseInt(string(raw), 10, 64); err != nil {
			return 0, err
		}
	}
	cur++
	if err := n.Put(ctx, key, []byte(strconv.FormatInt(cur, 10)), ttl); err != nil { // EXPECT kvrace|kvcounter
		return 0, err
	}
	return cur, nil
}

// AppendJSON appends item to the JSON array stored under key, keeping at most
// keep of the newest elements (keep <= 0 keeps all).
func AppendJSON[T any](ctx context.Context, n *Namespace, key string, item T, keep int, ttl time.Duration) error {
	var list []T
	if err := n.GetJSON(ctx, key, &list); err != nil && !errors.Is(err, ErrNotFound) {
		return err
	}
	list = append(list, item)
	if keep > 0 && len(list) > keep {
		list = list[len(list)-keep:]
	}
	return n.PutJSON(ctx, key, list, ttl) // EXPECT kvrace
}

// MinTTL is the shortest expiration KV accepts.
const MinTTL = time.Minute

// Cache is a read-through cache over a namespace whose values are projections
// of data held elsewhere.
type Cache struct {
	ns *Namespace
}

// NewCache wraps ns.
func NewCache(ns *Namespace) *Cache { return &Cache{ns: ns} }

// Set stores value for at least MinTTL.
func (c *Cache) Set(ctx context.Context, key string, value []byte, ttl time.Duration) error {
	if ttl < MinTTL {
		ttl = MinTTL
	}
	return c.ns.Put(ctx, key, value, ttl)
}

// Remember returns the cached value under key, or calls load, caches its result
// for ttl and returns it.
func (c *Cache) Remember(ctx context.Context, key string, ttl time.Duration, load func(context.Context) ([]byte, error)) ([]byte, error) {
	raw, err := c.ns.Get(ctx, key)
	if err == nil {
		return raw, nil
	}
	if !errors.Is(err, ErrNotFound) {
		return nil, err
	}
	raw, err = load(ctx)
	if err != nil {
		return nil, err
	}
	if err := c.Set(ctx, key, raw, ttl); err != nil {
		return raw, err
	}
	return raw, nil
}

func (c *Cache) Forget(ctx context.Context, key string) error { return c.ns.Delete(ctx, key) }

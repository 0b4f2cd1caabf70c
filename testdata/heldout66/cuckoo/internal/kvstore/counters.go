package kvstore

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Incr adds delta to the decimal integer stored under key and returns the new
// total. A missing key counts as zero.
func (n *Namespace) Incr(ctx context.Context, key string, delta int, ttl time.Duration) (int, error) {
	cur := 0
	raw, err := n.Get(ctx, key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if cur, err = strconv.Atoi(string(raw)); err != nil {
			return 0, fmt.Errorf("kv incr %q: stored value %q is not a number", key, raw)
		}
	}
	cur += delta
	if err := n.Put(ctx, key, []byte(strconv.Itoa(cur)), ttl); err != nil { // EXPECT kvcounter|kvrace
		return 0, err
	}
	return cur, nil
}

// GetInt reads a decimal integer; a missing key yields (0, false, nil).
func (n *Namespace) GetInt(ctx context.Context, key string) (int, bool, error) {
	raw, err := n.Get(ctx, key)
	if errors.Is(err, ErrNotFound) {
		return 0, false, nil
	}
	if err != nil {
		return 0, false, err
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil {
		return 0, false, fmt.Errorf("kv %q: %w", key, err)
	}
	return v, true, nil
}

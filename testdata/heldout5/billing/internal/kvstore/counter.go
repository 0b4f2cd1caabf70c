package kvstore

import (
	"context"
	"fmt"
	"strconv"
	"strings"
)

// Incr adds delta to the decimal integer stored at key and returns the new
// value. A missing key counts as zero.
func Incr(ctx context.Context, kv KV, key string, delta int64, opts ...PutOption) (int64, error) {
	var n int64
	raw, err := kv.Get(ctx, key)
	switch {
	case IsNotFound(err):
	case err != nil:
		return 0, err
	default:
		n, err = strconv.ParseInt(strings.TrimSpace(string(raw)), 10, 64)
		if err != nil {
			return 0, fmt.Errorf("counter %s: %w", key, err)
		}
	}
	n += delta
	if err := kv.Put(ctx, key, []byte(strconv.FormatInt(n, 10)), opts...); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}

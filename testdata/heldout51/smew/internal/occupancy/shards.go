package occupancy

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strconv"
	"sync"

	"example.com/smew/internal/kvstore"
)

// ShardedCounter spreads one count over several keys
// (<prefix>:<id>:<shard>) so that no single key takes every write; readers
// add the shards up.
type ShardedCounter struct {
	st     kvstore.Store
	prefix string
	shards int
}

// NewShardedCounter returns a counter over st.
func NewShardedCounter(st kvstore.Store, prefix string, shards int) *ShardedCounter {
	return &ShardedCounter{st: st, prefix: prefix, shards: max(shards, 1)}
}

func (c *ShardedCounter) key(id string, shard int) string {
	return fmt.Sprintf("%s:%s:%d", c.prefix, id, shard)
}

// Incr adds one to a randomly chosen shard of id.
func (c *ShardedCounter) Incr(ctx context.Context, id string) error {
	key := c.key(id, rand.IntN(c.shards))
	opt, err := c.st.Get(ctx, key)
	if err != nil {
		return err
	}
	n := 0
	if opt.Found {
		if n, err = strconv.Atoi(string(opt.Value)); err != nil {
			return err
		}
	}
	return c.st.Put(ctx, key, []byte(strconv.Itoa(n+1)), 0) // EXPECT kvcounter|kvrace
}

// Sum reads every shard of id concurrently and adds them up.
func (c *ShardedCounter) Sum(ctx context.Context, id string) (int, error) {
	counts := make([]int, c.shards)
	errs := make([]error, c.shards)
	var wg sync.WaitGroup
	for i := range c.shards {
		wg.Go(func() {
			opt, err := c.st.Get(ctx, c.key(id, i))
			if err != nil {
				errs[i] = err
				return
			}
			if opt.Found {
				counts[i], errs[i] = strconv.Atoi(string(opt.Value))
			}
		})
	}
	wg.Wait()
	total := 0
	for _, n := range counts {
		total += n
	}
	return total, errors.Join(errs...)
}

// Reset removes every shard of id.
func (c *ShardedCounter) Reset(ctx context.Context, id string) error {
	keys := make([]string, c.shards)
	for i := range keys {
		keys[i] = c.key(id, i)
	}
	return kvstore.DeleteAll(ctx, c.st, keys)
}

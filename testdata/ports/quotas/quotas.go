// Package quotas counts and caches through an executor of operations.
package quotas

import (
	"context"
	"strconv"
	"time"

	"kvlint.test/ports/ops"
)

type Quotas struct{ Exec ops.Exec }

// Use counts one use of a daily quota: read, add one, write back.
func (q *Quotas) Use(ctx context.Context, user string) error {
	key := "quota:" + user
	res, err := q.Exec(ctx, ops.Get(key))
	if err != nil {
		return err
	}
	n := 0
	if res.Found {
		n, _ = strconv.Atoi(string(res.Value))
	}
	return q.Exec.Do(ctx, ops.Put(key, []byte(strconv.Itoa(n+1)), 24*time.Hour))
}

// Plan reads through to the database on a miss: the fill is the same for
// every request.
func (q *Quotas) Plan(ctx context.Context, user string, load func() []byte) ([]byte, error) {
	key := "plan:" + user
	res, err := q.Exec(ctx, ops.Get(key))
	if err != nil || res.Found {
		return res.Value, err
	}
	v := load()
	return v, q.Exec.Do(ctx, ops.Put(key, v, time.Hour))
}

// Mark keeps a marker for a few seconds, under KV's minimum.
func (q *Quotas) Mark(ctx context.Context, user string) error {
	return q.Exec.Do(ctx, ops.Put("seen:"+user, []byte("1"), 10*time.Second))
}

// Streaks counts a user's days in a row through an executor that the
// adapter hands out as a closure, wrapped.
type Streaks struct{ Run ops.Runner }

func (s *Streaks) Extend(ctx context.Context, user string) error {
	key := "streak:" + user
	res, err := s.Run(ops.Get(key))
	if err != nil {
		return err
	}
	n, _ := strconv.Atoi(string(res.Value))
	_, err = s.Run(ops.Put(key, []byte(strconv.Itoa(n+1)), 48*time.Hour))
	return err
}

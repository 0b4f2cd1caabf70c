package kvop

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync/atomic"
	"time"
)

// Logging records every operation at debug level and failures at warn level.
func Logging(log *slog.Logger) Interceptor {
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			start := time.Now()
			res, err := next(ctx, op)
			attrs := []any{"op", op.Kind.String(), "key", op.Key, "took", time.Since(start)}
			if err != nil {
				log.WarnContext(ctx, "kv operation failed", append(attrs, "err", err)...)
			} else {
				log.DebugContext(ctx, "kv operation", attrs...)
			}
			return res, err
		}
	}
}

type Counters struct {
	Gets, Puts, Deletes, Lists, Errors atomic.Int64
}

func (c *Counters) Snapshot() map[string]int64 {
	return map[string]int64{"gets": c.Gets.Load(), "puts": c.Puts.Load(), "deletes": c.Deletes.Load(),
		"lists": c.Lists.Load(), "errors": c.Errors.Load()}
}

func Metrics(c *Counters) Interceptor {
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			switch op.Kind {
			case Get:
				c.Gets.Add(1)
			case Put:
				c.Puts.Add(1)
			case Delete:
				c.Deletes.Add(1)
			case List:
				c.Lists.Add(1)
			}
			res, err := next(ctx, op)
			if err != nil {
				c.Errors.Add(1)
			}
			return res, err
		}
	}
}

// retryable tags errors that are worth retrying.
type retryable struct{ err error }

func (r retryable) Error() string { return r.err.Error() }
func (r retryable) Unwrap() error { return r.err }

func MarkRetryable(err error) error {
	if err == nil {
		return nil
	}
	return retryable{err}
}

func IsRetryable(err error) bool {
	var r retryable
	return errors.As(err, &r)
}

// Retry re-runs reads and deletes that fail with a retryable error. Writes are
// retried too: every Put carries the full value, so a repeat is harmless.
func Retry(attempts int, backoff time.Duration) Interceptor {
	if attempts < 1 {
		attempts = 1
	}
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			var (
				res Result
				err error
			)
			wait := backoff
			for i := 0; i < attempts; i++ {
				res, err = next(ctx, op)
				if err == nil || !IsRetryable(err) {
					return res, err
				}
				select {
				case <-ctx.Done():
					return res, errors.Join(err, ctx.Err())
				case <-time.After(wait):
				}
				wait *= 2
			}
			return res, err
		}
	}
}

// Prefix scopes every key (and list prefix) under p, and strips it again from
// listed key names so callers never see it.
func Prefix(p string) Interceptor {
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			if op.Key != "" {
				op.Key = p + op.Key
			}
			if op.Kind == List {
				op.Prefix = p + op.Prefix
			}
			res, err := next(ctx, op)
			for i, k := range res.Keys {
				res.Keys[i] = strings.TrimPrefix(k, p)
			}
			return res, err
		}
	}
}

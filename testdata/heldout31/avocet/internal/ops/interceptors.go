package ops

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"time"
)

// Logging logs every operation at debug level and failures at warn level.
func Logging(log *slog.Logger) Interceptor {
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			start := time.Now()
			res, err := next(ctx, op)
			attrs := []any{"op", op.Kind.String(), "key", op.Key, "prefix", op.Prefix, "took", time.Since(start)}
			if err != nil {
				log.WarnContext(ctx, "storage op failed", append(attrs, "err", err)...)
			} else {
				log.DebugContext(ctx, "storage op", attrs...)
			}
			return res, err
		}
	}
}

// Counters is a tiny in-process metrics sink keyed by operation kind.
type Counters struct {
	mu            sync.Mutex
	calls, errors map[OpKind]int64
	misses        int64
}

func NewCounters() *Counters {
	return &Counters{calls: map[OpKind]int64{}, errors: map[OpKind]int64{}}
}

func (c *Counters) Snapshot() map[string]int64 {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int64, len(c.calls)*2+1)
	for k, v := range c.calls {
		out[k.String()+"_calls"] = v
	}
	for k, v := range c.errors {
		out[k.String()+"_errors"] = v
	}
	out["get_misses"] = c.misses
	return out
}

// Metrics records call, error and miss numbers into c.
func Metrics(c *Counters) Interceptor {
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			res, err := next(ctx, op)
			c.mu.Lock()
			c.calls[op.Kind]++
			if err != nil {
				c.errors[op.Kind]++
			} else if op.Kind == OpGet && !res.Found {
				c.misses++
			}
			c.mu.Unlock()
			return res, err
		}
	}
}

// Retry repeats failed operations that are marked transient, with a
// doubling backoff starting at base.
func Retry(attempts int, base time.Duration) Interceptor {
	if attempts < 1 {
		attempts = 1
	}
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			wait := base
			var lastErr error
			for i := 0; i < attempts; i++ {
				res, err := next(ctx, op)
				if err == nil || !errors.Is(err, ErrTransient) {
					return res, err
				}
				lastErr = err
				select {
				case <-ctx.Done():
					return Result{}, errors.Join(lastErr, ctx.Err())
				case <-time.After(wait):
				}
				wait *= 2
			}
			return Result{}, lastErr
		}
	}
}

// Prefixing puts every key (and list prefix) under prefix, and strips it
// again from listed key names so callers never see it.
func Prefixing(prefix string) Interceptor {
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			switch op.Kind {
			case OpList:
				op.Prefix = prefix + op.Prefix
			default:
				op.Key = prefix + op.Key
			}
			res, err := next(ctx, op)
			if err != nil || op.Kind != OpList {
				return res, err
			}
			for i, k := range res.Keys {
				res.Keys[i] = strings.TrimPrefix(k, prefix)
			}
			return res, nil
		}
	}
}

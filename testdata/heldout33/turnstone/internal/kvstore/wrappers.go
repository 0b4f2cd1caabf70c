package kvstore

import (
	"context"
	"log/slog"
	"strings"
	"time"
)

// auditedKV logs every write with its key prefix, size class and ttl. Reads
// are not logged; they are too frequent to be useful in the audit stream.
type auditedKV struct {
	KV
	log *slog.Logger
}

// Audited returns inner with its writes logged to log.
func Audited(inner KV, log *slog.Logger) KV {
	return auditedKV{KV: inner, log: log.With("component", "kv-audit")}
}

func (a auditedKV) Put(ctx context.Context, key string, value any, ttl time.Duration) error {
	start := time.Now()
	err := a.KV.Put(ctx, key, value, ttl)
	level := slog.LevelDebug
	if err != nil {
		level = slog.LevelWarn
	}
	a.log.LogAttrs(ctx, level, "kv put",
		slog.String("prefix", keyPrefix(key)),
		slog.Duration("ttl", ttl),
		slog.Duration("took", time.Since(start)),
		slog.Any("err", err),
	)
	return err
}

// retryingKV retries writes that the API rejects with 429, which KV returns
// when the same key is written more than once per second.
type retryingKV struct {
	KV
	attempts int
	base     time.Duration
}

// Retrying returns inner with Put retried on 429 up to attempts times with
// exponential backoff starting at base.
func Retrying(inner KV, attempts int, base time.Duration) KV {
	return retryingKV{KV: inner, attempts: attempts, base: base}
}

func (r retryingKV) Put(ctx context.Context, key string, value any, ttl time.Duration) error {
	for i := 0; ; i++ {
		err := r.KV.Put(ctx, key, value, ttl)
		if err == nil || !IsRateLimited(err) || i >= r.attempts {
			return err
		}
		select {
		case <-time.After(r.base << i):
		case <-ctx.Done():
			return ctx.Err()
		}
	}
}

// keyPrefix returns the part of key before its first variable segment, so
// that tokens and e-mail addresses do not end up in logs.
func keyPrefix(key string) string {
	if i := strings.IndexByte(key, ':'); i >= 0 {
		return key[:i+1]
	}
	return key
}

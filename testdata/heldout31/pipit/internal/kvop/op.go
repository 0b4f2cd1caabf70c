// Package kvop describes key-value storage operations as plain values.
//
// Domain code builds Op values and hands them to an Exec. The Exec that
// talks to the backend is wrapped by interceptors (logging, metrics,
// retries, key prefixes) so that none of that leaks into callers.
package kvop

import (
	"context"
	"errors"
	"log/slog"
	"maps"
	"strings"
	"sync"
	"time"
)

// OpKind names the storage verb an Op performs.
type OpKind uint8

const (
	OpGet OpKind = iota + 1
	OpGetMany
	OpPut
	OpDelete
	OpList
)

var kindNames = [...]string{"op(0)", "get", "get_many", "put", "delete", "list"}

func (k OpKind) String() string { return kindNames[k%OpKind(len(kindNames))] }

// ErrNotFound is returned by executors when a get targets a missing key.
var ErrNotFound = errors.New("kvop: key not found")

// Op is one storage operation.
type Op struct {
	Kind     OpKind
	Key      string
	Keys     []string
	Value    []byte
	TTL      time.Duration
	ExpireAt time.Time
	Metadata any

	// List parameters.
	Prefix string
	Limit  int
	Cursor string
}

// KeyInfo describes one listed key.
type KeyInfo struct {
	Name       string
	Expiration time.Time
	Metadata   map[string]any
}

// Result carries what an operation produced.
type Result struct {
	Value    []byte
	Values   map[string][]byte
	Keys     []KeyInfo
	Cursor   string
	Complete bool
}

// Exec runs one operation against a backend.
type Exec func(ctx context.Context, op Op) (Result, error)

// Interceptor wraps an Exec with extra behaviour.
type Interceptor func(next Exec) Exec

// Chain wraps base with the interceptors; the first one listed is outermost.
func Chain(base Exec, ics ...Interceptor) Exec {
	for i := len(ics) - 1; i >= 0; i-- {
		base = ics[i](base)
	}
	return base
}

// Get builds a single-key read.
func Get(key string) Op { return Op{Kind: OpGet, Key: key} }

// GetMany builds a bulk read.
func GetMany(keys ...string) Op { return Op{Kind: OpGetMany, Keys: keys} }

// Put builds a write; a zero ttl means the value does not expire.
func Put(key string, value []byte, ttl time.Duration) Op {
	return Op{Kind: OpPut, Key: key, Value: value, TTL: ttl}
}

// Delete builds a removal.
func Delete(key string) Op { return Op{Kind: OpDelete, Key: key} }

// List builds a one-page listing request.
func List(prefix string, limit int, cursor string) Op {
	return Op{Kind: OpList, Prefix: prefix, Limit: limit, Cursor: cursor}
}

// Logging records every operation at debug level and failures at warn.
func Logging(log *slog.Logger) Interceptor {
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			start := time.Now()
			res, err := next(ctx, op)
			level := slog.LevelDebug
			if err != nil && err != ErrNotFound {
				level = slog.LevelWarn
			}
			log.Log(ctx, level, "kv", "op", op.Kind.String(), "key", op.Key, "prefix", op.Prefix, "took", time.Since(start), "err", err)
			return res, err
		}
	}
}

// Metrics keeps per-verb call and error counts in process memory.
type Metrics struct {
	mu     sync.Mutex
	counts map[string]int
}

// NewMetrics returns an empty collector.
func NewMetrics() *Metrics { return &Metrics{counts: map[string]int{}} }

// Interceptor returns the interceptor that feeds this collector.
func (m *Metrics) Interceptor() Interceptor {
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			res, err := next(ctx, op)
			m.mu.Lock()
			m.counts[op.Kind.String()+".calls"]++
			if err != nil && err != ErrNotFound {
				m.counts[op.Kind.String()+".errors"]++
			}
			m.mu.Unlock()
			return res, err
		}
	}
}

// Snapshot returns a copy of the counters.
func (m *Metrics) Snapshot() map[string]int {
	m.mu.Lock()
	defer m.mu.Unlock()
	return maps.Clone(m.counts)
}

// Retry re-runs operations that fail with a retryable error, doubling the
// pause each time. KV answers 429 when one key is written more than once a
// second, so the first pause is never shorter than a second.
func Retry(attempts int, base time.Duration, retryable func(error) bool) Interceptor {
	base = max(base, time.Second)
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			wait := base
			for i := 1; ; i++ {
				res, err := next(ctx, op)
				if err == nil || i >= attempts || !retryable(err) {
					return res, err
				}
				select {
				case <-ctx.Done():
					return res, ctx.Err()
				case <-time.After(wait):
				}
				wait *= 2
			}
		}
	}
}

// Prefix places every key under prefix and strips it again from listed keys,
// so that several environments can share one namespace.
func Prefix(prefix string) Interceptor {
	return func(next Exec) Exec {
		return func(ctx context.Context, op Op) (Result, error) {
			if op.Key != "" {
				op.Key = prefix + op.Key
			}
			if op.Kind == OpList {
				op.Prefix = prefix + op.Prefix
			}
			if len(op.Keys) > 0 {
				keys := make([]string, len(op.Keys))
				for i, k := range op.Keys {
					keys[i] = prefix + k
				}
				op.Keys = keys
			}
			res, err := next(ctx, op)
			for i := range res.Keys {
				res.Keys[i].Name = strings.TrimPrefix(res.Keys[i].Name, prefix)
			}
			if len(res.Values) > 0 {
				vals := make(map[string][]byte, len(res.Values))
				for k, v := range res.Values {
					vals[strings.TrimPrefix(k, prefix)] = v
				}
				res.Values = vals
			}
			return res, err
		}
	}
}

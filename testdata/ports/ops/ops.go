// Package ops describes storage operations as values, run by an executor
// that interceptors wrap. It knows nothing of KV: main gives it the
// adapter's Exec.
package ops

import (
	"context"
	"log"
	"time"
)

type Kind int

const (
	OpGet Kind = iota + 1
	OpPut
	OpDelete
)

type Op struct {
	Kind  Kind
	Key   string
	Value []byte
	TTL   time.Duration
}

type Result struct {
	Value []byte
	Found bool
}

type Exec func(ctx context.Context, op Op) (Result, error)

type Interceptor func(next Exec) Exec

// Runner is an executor that an adapter hands out as a closure, bound to
// a context.
type Runner func(op Op) (Result, error)

// ChainRunner wraps base in each of wraps, the first outermost.
func ChainRunner(base Runner, wraps ...func(Runner) Runner) Runner {
	for i := len(wraps) - 1; i >= 0; i-- {
		base = wraps[i](base)
	}
	return base
}

// Logged wraps a runner with a log line per operation.
func Logged(next Runner) Runner {
	return func(op Op) (Result, error) {
		res, err := next(op)
		log.Printf("%d %s: %v", op.Kind, op.Key, err)
		return res, err
	}
}

func Chain(base Exec, ics ...Interceptor) Exec {
	for i := len(ics) - 1; i >= 0; i-- {
		base = ics[i](base)
	}
	return base
}

// Logging hands every operation on, whatever its kind: it runs none of
// its own.
func Logging(next Exec) Exec {
	return func(ctx context.Context, op Op) (Result, error) {
		res, err := next(ctx, op)
		log.Printf("%d %s: %v", op.Kind, op.Key, err)
		return res, err
	}
}

// Do runs op for its error alone.
func (e Exec) Do(ctx context.Context, op Op) error {
	_, err := e(ctx, op)
	return err
}

func Get(key string) Op { return Op{Kind: OpGet, Key: key} }

func Put(key string, v []byte, ttl time.Duration) Op {
	return Op{Kind: OpPut, Key: key, Value: v, TTL: ttl}
}

func Delete(key string) Op { return Op{Kind: OpDelete, Key: key} }

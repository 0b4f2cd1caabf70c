// Package ops describes storage operations as plain values run by an Exec: a
// storage adapter at the bottom of the chain, Interceptors above it.
package ops

import (
	"context"
	"errors"
	"fmt"
	"time"
)

type OpKind int

const (
	OpGet OpKind = iota + 1
	OpPut
	OpDelete
	OpList
)

var kindNames = map[OpKind]string{OpGet: "get", OpPut: "put", OpDelete: "delete", OpList: "list"}

func (k OpKind) String() string {
	if n, ok := kindNames[k]; ok {
		return n
	}
	return fmt.Sprintf("op(%d)", int(k))
}

// Op is one storage operation. Only the fields relevant to Kind are read.
type Op struct {
	Kind  OpKind
	Key   string
	Value []byte
	// TTL is a relative lifetime; zero means the value does not expire.
	TTL time.Duration
	// ExpireAt is an absolute expiry; used only when TTL is zero.
	ExpireAt time.Time
	// CacheFor asks the edge to cache a read for this long (gets only).
	CacheFor time.Duration

	Prefix, Cursor string // list parameters
	Limit          int
}

// Result is what an Exec returns. Found is false for a get of a missing key.
type Result struct {
	Value           []byte
	Found, Complete bool
	Keys            []string
	Cursor          string
}

type Exec func(ctx context.Context, op Op) (Result, error)

type Interceptor func(next Exec) Exec

// Chain wraps base; the first interceptor is the outermost one.
func Chain(base Exec, ics ...Interceptor) Exec {
	e := base
	for i := len(ics) - 1; i >= 0; i-- {
		e = ics[i](e)
	}
	return e
}

// ErrUnsupported is returned by adapters for kinds they cannot run.
var ErrUnsupported = errors.New("ops: unsupported operation")

// ErrTransient marks adapter errors worth another attempt (throttling,
// 5xx); adapters wrap them.
var ErrTransient = errors.New("ops: transient storage error")

func Get(key string) Op { return Op{Kind: OpGet, Key: key} }

func Put(key string, v []byte, ttl time.Duration) Op {
	return Op{Kind: OpPut, Key: key, Value: v, TTL: ttl}
}

func Delete(key string) Op { return Op{Kind: OpDelete, Key: key} }

func List(prefix, cursor string, limit int) Op {
	return Op{Kind: OpList, Prefix: prefix, Cursor: cursor, Limit: limit}
}

func (e Exec) Do(ctx context.Context, op Op) error {
	_, err := e(ctx, op)
	return err
}

// Writer fixes the executor, then a namespace, then a lifetime:
// put := ops.Writer(exec)("feeds")(time.Hour); put(ctx, "show-1", body).
func Writer(exec Exec) func(ns string) func(ttl time.Duration) func(ctx context.Context, key string, v []byte) error {
	return func(ns string) func(time.Duration) func(context.Context, string, []byte) error {
		return func(ttl time.Duration) func(context.Context, string, []byte) error {
			return func(ctx context.Context, key string, v []byte) error {
				return exec.Do(ctx, Put(ns+":"+key, v, ttl))
			}
		}
	}
}

// Reader fixes the executor and a namespace prefix and returns a function
// that reads one key, reporting whether it was present.
func Reader(exec Exec) func(ns string) func(ctx context.Context, key string) ([]byte, bool, error) {
	return func(ns string) func(context.Context, string) ([]byte, bool, error) {
		return func(ctx context.Context, key string) ([]byte, bool, error) {
			res, err := exec(ctx, Get(ns+":"+key))
			if err != nil {
				return nil, false, err
			}
			return res.Value, res.Found, nil
		}
	}
}

// Package kvop describes key-value storage operations as plain values so that
// domain code can build them, and infrastructure can run them through a chain
// of interceptors before they reach a concrete store.
package kvop

import (
	"context"
	"errors"
	"fmt"
	"time"
)

type Kind uint8

const (
	Get Kind = iota + 1
	Put
	Delete
	List
)

var kindNames = [...]string{Get: "get", Put: "put", Delete: "delete", List: "list"}

func (k Kind) String() string {
	if int(k) < len(kindNames) && k > 0 {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", uint8(k))
}

// Op is one storage operation. Only the fields that matter for its Kind are read.
type Op struct {
	Kind  Kind
	Key   string
	Value []byte
	// TTL is relative to the time the store receives the write; 0 keeps the value forever.
	TTL time.Duration

	// List parameters.
	Prefix string
	Cursor string
	Limit  int
}

type Result struct {
	Value []byte
	Found bool

	Keys     []string
	Cursor   string
	Complete bool
}

type Exec func(ctx context.Context, op Op) (Result, error)

type Interceptor func(next Exec) Exec

// Chain applies interceptors so that the first one listed is the outermost.
func Chain(base Exec, ics ...Interceptor) Exec {
	exec := base
	for i := len(ics) - 1; i >= 0; i-- {
		exec = ics[i](exec)
	}
	return exec
}

var ErrUnsupported = errors.New("kvop: unsupported operation")

func GetOp(key string) Op { return Op{Kind: Get, Key: key} }

// PutOp builds a write of value under key that lives for ttl (0 = forever).
func PutOp(key string, value []byte, ttl time.Duration) Op {
	return Op{Kind: Put, Key: key, Value: value, TTL: ttl}
}

func DeleteOp(key string) Op { return Op{Kind: Delete, Key: key} }

func ListOp(prefix, cursor string, limit int) Op {
	return Op{Kind: List, Prefix: prefix, Cursor: cursor, Limit: limit}
}

// Package typed is a generic port over the byte port, Store[K, V], whose
// implementation is generic too and takes its codec as a type parameter:
// no instance of either is declared, so the port is matched to its
// implementation method by method.
package typed

import (
	"context"
	"encoding/json"
	"strconv"
	"time"

	"kvlint.test/ports/store"
)

type Store[K ~string, V any] interface {
	Get(ctx context.Context, key K) (V, error)
	Put(ctx context.Context, key K, v V) error
	Delete(ctx context.Context, key K) error
}

type Codec[V any] interface {
	Encode(V) ([]byte, error)
	Decode([]byte) (V, error)
}

type Int struct{}

func (Int) Encode(n int) ([]byte, error) { return []byte(strconv.Itoa(n)), nil }
func (Int) Decode(b []byte) (int, error) { return strconv.Atoi(string(b)) }

type JSON[V any] struct{}

func (JSON[V]) Encode(v V) ([]byte, error) { return json.Marshal(v) }
func (JSON[V]) Decode(b []byte) (V, error) {
	var v V
	err := json.Unmarshal(b, &v)
	return v, err
}

type typed[K ~string, V any, C Codec[V]] struct {
	raw    store.Store
	codec  C
	prefix string
}

func New[K ~string, V any, C Codec[V]](raw store.Store, c C, prefix string) Store[K, V] {
	return &typed[K, V, C]{raw: raw, codec: c, prefix: prefix}
}

func (t *typed[K, V, C]) Get(ctx context.Context, key K) (V, error) {
	var zero V
	b, err := t.raw.Get(ctx, t.prefix+string(key))
	if err != nil {
		return zero, err
	}
	return t.codec.Decode(b)
}

func (t *typed[K, V, C]) Put(ctx context.Context, key K, v V) error {
	b, err := t.codec.Encode(v)
	if err != nil {
		return err
	}
	return t.raw.Set(ctx, t.prefix+string(key), b, time.Hour)
}

func (t *typed[K, V, C]) Delete(ctx context.Context, key K) error {
	return t.raw.Set(ctx, t.prefix+string(key), nil, time.Minute)
}

type Ticket struct {
	Visitor string
	Number  int
}

// Queue hands out numbers from a count kept in KV.
type Queue struct {
	seq     Store[string, int]
	tickets Store[string, Ticket]
}

func NewQueue(raw store.Store) *Queue {
	return &Queue{
		seq:     New[string](raw, Int{}, "seq:"),
		tickets: New[string](raw, JSON[Ticket]{}, "ticket:"),
	}
}

// Join takes the next number: a counter kept in KV, although the number
// also goes into the visitor's ticket.
func (q *Queue) Join(ctx context.Context, event, visitor string) (Ticket, error) {
	n, err := q.seq.Get(ctx, event)
	if err != nil {
		return Ticket{}, err
	}
	n++
	if err := q.seq.Put(ctx, event, n); err != nil { // kvcounter
		return Ticket{}, err
	}
	t := Ticket{Visitor: visitor, Number: n}
	return t, q.tickets.Put(ctx, event+":"+visitor, t)
}

// Leave drops a ticket: nothing read first, nothing counted.
func (q *Queue) Leave(ctx context.Context, event, visitor string) error {
	return q.tickets.Delete(ctx, event+":"+visitor)
}

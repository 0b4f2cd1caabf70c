package kvrest

import (
	"context"
	"time"

	"github.com/piopio/greenhouse/internal/stream"
)

// KeySource lists the keys under prefix, stopping after maxPages pages.
func KeySource(rt *stream.Runtime, ns *Namespace, prefix string, maxPages int) stream.Source[Key] {
	cursor, pages := "", 0
	return stream.Generate(rt, func(ctx context.Context) ([]Key, bool, error) {
		page, err := ns.ListPage(ctx, prefix, cursor, 1000)
		if err != nil {
			return nil, false, err
		}
		pages++
		cursor = page.Cursor
		return page.Keys, cursor != "" && pages < maxPages, nil
	})
}

// AllKeys lists every key under prefix.
func AllKeys(ctx context.Context, ns *Namespace, prefix string) ([]Key, error) {
	var (
		all    []Key
		cursor string
	)
	for {
		page, err := ns.ListPage(ctx, prefix, cursor, 1000) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		all = append(all, page.Keys...)
		if page.Cursor == "" {
			return all, nil
		}
		cursor = page.Cursor
	}
}

// PutSink writes each element under the key its Key func derives, for the
// lifetime its TTL func returns.
type PutSink[T any] struct {
	NS    *Namespace
	Key   func(T) string
	Value func(T) ([]byte, error)
	TTL   func(T) time.Duration
}

// Sink adapts the sink for stream.To.
func (s PutSink[T]) Sink() stream.Sink[T] {
	return func(ctx context.Context, v T) error {
		b, err := s.Value(v)
		if err != nil {
			return err
		}
		return s.NS.PutTTL(ctx, s.Key(v), b, s.TTL(v))
	}
}

// Enrich reads the value stored under key(v) for every element and hands it,
// or nil when the key is missing, to join.
func Enrich[In, Out any](ns *Namespace, key func(In) string, join func(In, []byte) (Out, error)) stream.Flow[In, Out] {
	return stream.Map(func(ctx context.Context, v In) (Out, error) {
		raw, err := ns.Get(ctx, key(v))
		if err != nil && err != ErrNotFound {
			var zero Out
			return zero, err
		}
		return join(v, raw)
	})
}

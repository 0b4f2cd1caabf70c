// Package instrument decorates a kvstore.Store with latency metrics and
// debug logging.
package instrument

import (
	"context"
	"log/slog"
	"time"

	"example.com/academy/internal/kvstore"
)

type Observer interface {
	Observe(op string, d time.Duration, err error)
}

// Store times reads and writes; Delete and List go straight to the
// embedded store.
type Store struct {
	kvstore.Store
	obs Observer
}

func Wrap(s kvstore.Store, obs Observer) *Store { return &Store{Store: s, obs: obs} }

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	start := time.Now()
	v, err := s.Store.Get(ctx, key)
	s.obs.Observe("get", time.Since(start), err)
	return v, err
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
	start := time.Now()
	err := s.Store.Put(ctx, key, value, opts...)
	s.obs.Observe("put", time.Since(start), err)
	return err
}

// LogPuts returns a Putter that logs every write at debug level.
func LogPuts(p kvstore.Putter, log *slog.Logger) kvstore.PutFunc {
	return func(ctx context.Context, key string, value []byte, opts ...kvstore.PutOption) error {
		err := p.Put(ctx, key, value, opts...)
		log.DebugContext(ctx, "kv put", "key", key, "bytes", len(value), "err", err)
		return err
	}
}

// ObserverFunc lets a plain function observe operations.
type ObserverFunc func(op string, d time.Duration, err error)

func (f ObserverFunc) Observe(op string, d time.Duration, err error) { f(op, d, err) }

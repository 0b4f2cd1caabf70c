// Package kvadapter implements the domain storage ports on top of a Workers
// KV namespace binding.
package kvadapter

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/tickets/internal/domain"
)

// jsNull is what the SDK's GetString returns when the binding resolves to null.
const jsNull = "<null>"

// Option configures a Store.
type Option func(*Store)

// WithReadCacheTTL asks the edge to keep values read through this store for d.
func WithReadCacheTTL(d time.Duration) Option {
	return func(s *Store) { s.readCache = d }
}

// WithLogger sets the logger used for slow or failed operations.
func WithLogger(l *slog.Logger) Option {
	return func(s *Store) { s.log = l }
}

// Store is a domain.FullStore backed by one KV namespace. The binding is
// resolved lazily because the runtime env is only available inside a request.
type Store struct {
	binding   string
	readCache time.Duration
	log       *slog.Logger

	once sync.Once
	ns   *kv.Namespace
	err  error
}

var _ domain.FullStore = (*Store)(nil)

func New(binding string, opts ...Option) *Store {
	s := &Store{binding: binding, log: slog.Default()}
	for _, opt := range opts {
		opt(s)
	}
	return s
}

func (s *Store) namespace() (*kv.Namespace, error) {
	s.once.Do(func() {
		s.ns, s.err = kv.NewNamespace(s.binding)
		if s.err != nil {
			s.err = fmt.Errorf("kvadapter: open %s: %w", s.binding, s.err)
		}
	})
	return s.ns, s.err
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	var opts *kv.GetOptions
	if s.readCache > 0 {
		opts = &kv.GetOptions{CacheTTL: int(s.readCache / time.Second)}
	}
	return s.get(ctx, key, opts)
}

func (s *Store) GetCached(ctx context.Context, key string, maxAge time.Duration) ([]byte, error) {
	return s.get(ctx, key, &kv.GetOptions{CacheTTL: int(maxAge.Seconds())})
}

func (s *Store) get(ctx context.Context, key string, opts *kv.GetOptions) ([]byte, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	ns, err := s.namespace()
	if err != nil {
		return nil, err
	}
	start := time.Now()
	v, err := ns.GetString(key, opts)
	if err != nil {
		s.log.ErrorContext(ctx, "kv get failed", "binding", s.binding, "key", key, "err", err)
		return nil, fmt.Errorf("kvadapter: get %q: %w", key, err)
	}
	if d := time.Since(start); d > 200*time.Millisecond {
		s.log.WarnContext(ctx, "slow kv get", "binding", s.binding, "key", key, "took", d)
	}
	if v == "" || v == jsNull {
		return nil, domain.ErrNotFound
	}
	return []byte(v), nil
}

func (s *Store) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ns, err := s.namespace()
	if err != nil {
		return err
	}
	var opts *kv.PutOptions
	if ttl > 0 {
		opts = &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())}
	}
	if err := ns.PutString(key, string(val), opts); err != nil {
		s.log.ErrorContext(ctx, "kv put failed", "binding", s.binding, "key", key, "err", err)
		return fmt.Errorf("kvadapter: put %q: %w", key, err)
	}
	return nil
}

func (s *Store) SetExpireAt(ctx context.Context, key string, val []byte, unixSeconds int64) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	ns, err := s.namespace()
	if err != nil {
		return err
	}
	opts := &kv.PutOptions{Expiration: int(unixSeconds)}
	if err := ns.PutReader(key, bytes.NewReader(val), opts); err != nil {
		return fmt.Errorf("kvadapter: put %q (expire at %d): %w", key, unixSeconds, err)
	}
	return nil
}

func (s *Store) Delete(ctx context.Context, key string) error {
	ns, err := s.namespace()
	if err != nil {
		return err
	}
	if err := ns.Delete(key); err != nil {
		return fmt.Errorf("kvadapter: delete %q: %w", key, err)
	}
	return nil
}

// Keys pages through every key under prefix.
func (s *Store) Keys(ctx context.Context, prefix string) ([]string, error) {
	ns, err := s.namespace()
	if err != nil {
		return nil, err
	}
	var (
		keys   []string
		cursor string
	)
	for {
		if err := ctx.Err(); err != nil {
			return keys, err
		}
		res, err := ns.List(&kv.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return keys, fmt.Errorf("kvadapter: list %q: %w", prefix, err)
		}
		for _, k := range res.Keys {
			keys = append(keys, k.Name)
		}
		if res.ListComplete {
			return keys, nil
		}
		cursor = res.Cursor
	}
}

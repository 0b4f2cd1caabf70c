// Package retrykv decorates a kv.Namespace with bounded retries and
// exponential backoff. The API answers 429 when a key is written more than
// once a second and 5xx during incidents; both are worth a second try.
package retrykv

import (
	"context"
	"errors"
	"iter"
	"math/rand/v2"
	"net"
	"strings"
	"time"

	"example.com/feeds/internal/kv"
)

// Store retries the operations of the wrapped namespace.
type Store struct {
	next      kv.Namespace
	attempts  int
	base      time.Duration
	maxDelay  time.Duration
	retryable func(error) bool
	sleep     func(context.Context, time.Duration) error
	onRetry   func(op, key string, attempt int, err error)
}

// Option configures the decorator.
type Option func(*Store)

// WithAttempts sets the total number of attempts, including the first.
func WithAttempts(n int) Option {
	return func(s *Store) {
		if n > 0 {
			s.attempts = n
		}
	}
}

// WithBackoff sets the first delay and the cap.
func WithBackoff(base, maxDelay time.Duration) Option {
	return func(s *Store) { s.base, s.maxDelay = base, maxDelay }
}

// WithClassifier replaces the default retryable check.
func WithClassifier(f func(error) bool) Option { return func(s *Store) { s.retryable = f } }

// WithRetryHook is called before each retry; handy for metrics.
func WithRetryHook(f func(op, key string, attempt int, err error)) Option {
	return func(s *Store) { s.onRetry = f }
}

// Wrap returns next decorated with retries.
func Wrap(next kv.Namespace, opts ...Option) *Store {
	s := &Store{
		next:      next,
		attempts:  4,
		base:      200 * time.Millisecond,
		maxDelay:  5 * time.Second,
		retryable: DefaultRetryable,
		sleep:     sleepCtx,
		onRetry:   func(string, string, int, error) {},
	}
	for _, o := range opts {
		o(s)
	}
	return s
}

var _ kv.Namespace = (*Store)(nil)

// DefaultRetryable retries rate limiting, server errors and network errors.
// Not-found and context cancellation are final.
func DefaultRetryable(err error) bool {
	if err == nil || kv.IsNotFound(err) || errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false
	}
	var ne net.Error
	if errors.As(err, &ne) {
		return true
	}
	msg := err.Error()
	for _, s := range []string{"429", "500", "502", "503", "504", "Too Many Requests"} {
		if strings.Contains(msg, s) {
			return true
		}
	}
	return false
}

func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (s *Store) do(ctx context.Context, op, key string, f func() error) error {
	var err error
	delay := s.base
	for attempt := 1; ; attempt++ {
		if err = f(); err == nil || attempt >= s.attempts || !s.retryable(err) {
			return err
		}
		s.onRetry(op, key, attempt, err)
		jitter := time.Duration(rand.Int64N(int64(delay)/2 + 1))
		if serr := s.sleep(ctx, delay+jitter); serr != nil {
			return err
		}
		delay = min(delay*2, s.maxDelay)
	}
}

func (s *Store) Get(ctx context.Context, key string) ([]byte, error) {
	var out []byte
	err := s.do(ctx, "get", key, func() (err error) {
		out, err = s.next.Get(ctx, key)
		return err
	})
	return out, err
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts kv.PutOptions) error {
	return s.do(ctx, "put", key, func() error { return s.next.Put(ctx, key, value, opts) })
}

func (s *Store) Delete(ctx context.Context, key string) error {
	return s.do(ctx, "delete", key, func() error { return s.next.Delete(ctx, key) })
}

func (s *Store) List(ctx context.Context, p kv.ListParams) (kv.Page, error) {
	var page kv.Page
	err := s.do(ctx, "list", p.Prefix, func() (err error) {
		page, err = s.next.List(ctx, p)
		return err
	})
	return page, err
}

func (s *Store) PutMany(ctx context.Context, entries []kv.Entry) error {
	return s.do(ctx, "bulk", "", func() error { return s.next.PutMany(ctx, entries) })
}

// Keys is passed through: the underlying pager already retries per page.
func (s *Store) Keys(ctx context.Context, prefix string) iter.Seq2[kv.KeyInfo, error] {
	return s.next.Keys(ctx, prefix)
}

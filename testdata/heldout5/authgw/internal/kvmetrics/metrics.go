// Package kvmetrics decorates a kvport.Store with latency and error metrics.
package kvmetrics

import (
	"context"
	"time"

	"example.com/authgw/internal/kvport"
)

// Recorder receives one observation per storage call.
type Recorder interface {
	Observe(op string, took time.Duration, failed bool)
}

// Store wraps another Store. It is safe for concurrent use if next is.
type Store struct {
	next kvport.Store
	rec  Recorder
	now  func() time.Time
}

var _ kvport.Store = (*Store)(nil)

// Wrap returns next instrumented with rec.
func Wrap(next kvport.Store, rec Recorder) *Store {
	return &Store{next: next, rec: rec, now: time.Now}
}

func (s *Store) observe(op string, start time.Time, err error) {
	// A miss is an answer, not a failure.
	failed := err != nil && !kvport.IsNotFound(err)
	s.rec.Observe(op, s.now().Sub(start), failed)
}

func (s *Store) Get(ctx context.Context, key string, opts ...kvport.ReadOption) ([]byte, error) {
	start := s.now()
	v, err := s.next.Get(ctx, key, opts...)
	s.observe("get", start, err)
	return v, err
}

func (s *Store) Put(ctx context.Context, key string, value []byte, opts ...kvport.WriteOption) error {
	start := s.now()
	err := s.next.Put(ctx, key, value, opts...)
	s.observe("put", start, err)
	return err
}

func (s *Store) Delete(ctx context.Context, key string) error {
	start := s.now()
	err := s.next.Delete(ctx, key)
	s.observe("delete", start, err)
	return err
}

func (s *Store) List(ctx context.Context, q kvport.ListQuery) (kvport.Page, error) {
	start := s.now()
	p, err := s.next.List(ctx, q)
	s.observe("list", start, err)
	return p, err
}

// Package optstore hands back what a get finds as an Optional inside a
// Result, instead of (T, error).
package optstore

import (
	"github.com/syumai/workers/cloudflare/kv"
)

type Optional[T any] struct {
	Value T
	Found bool
}

type Result[T any] struct {
	Value T
	Err   error
}

func Some[T any](v T) Optional[T] { return Optional[T]{Value: v, Found: true} }
func None[T any]() Optional[T]    { return Optional[T]{} }

type Store struct{ ns *kv.Namespace }

func New(ns *kv.Namespace) *Store { return &Store{ns: ns} }

func (s *Store) Get(key string) Result[Optional[string]] {
	v, err := s.ns.GetString(key, nil)
	if err != nil {
		return Result[Optional[string]]{Err: err}
	}
	if v == "<null>" {
		return Result[Optional[string]]{Value: None[string]()}
	}
	return Result[Optional[string]]{Value: Some(v)}
}

func (s *Store) Put(key, value string) error { return s.ns.PutString(key, value, nil) }

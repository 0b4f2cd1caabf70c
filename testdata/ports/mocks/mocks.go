// Package mocks is in the shape mockgen writes: a test of limiter imports
// it, and it imports limiter, so go/packages loads a test variant of it
// (mocks [limiter.test]) with syntax but without function bodies, on which
// kvlint must not build SSA.
package mocks

import (
	"context"
	"time"

	"kvlint.test/ports/limiter"
)

// MockStore is a mock of store.Store.
type MockStore struct {
	calls    []string
	recorder *MockStoreRecorder
}

// MockStoreRecorder is the recorder for MockStore.
type MockStoreRecorder struct {
	mock *MockStore
}

// NewMockStore creates a new mock instance.
func NewMockStore() *MockStore {
	mock := &MockStore{}
	mock.recorder = &MockStoreRecorder{mock}
	return mock
}

func (m *MockStore) Get(_ context.Context, key string) ([]byte, error) {
	m.calls = append(m.calls, "Get "+key)
	return nil, nil
}

func (m *MockStore) Set(_ context.Context, key string, _ []byte, _ time.Duration) error {
	m.calls = append(m.calls, "Set "+key)
	return nil
}

// Limiter returns a limiter over a new mock.
func Limiter() *limiter.Limiter { return &limiter.Limiter{S: NewMockStore()} }

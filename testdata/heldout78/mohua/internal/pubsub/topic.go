// Package pubsub provides typed in-process topics.
package pubsub

import "sync"

// Topic delivers values of type T to every subscriber, synchronously and in
// subscription order.
type Topic[T any] struct {
	name string
	mu   sync.RWMutex
	subs []func(T)
}

// NewTopic returns an empty topic.
func NewTopic[T any](name string) *Topic[T] { return &Topic[T]{name: name} }

// Name returns the topic name.
func (t *Topic[T]) Name() string { return t.name }

// Subscribe registers fn. It returns a function that removes it again.
func (t *Topic[T]) Subscribe(fn func(T)) (cancel func()) {
	t.mu.Lock()
	defer t.mu.Unlock()
	t.subs = append(t.subs, fn)
	idx := len(t.subs) - 1
	return func() {
		t.mu.Lock()
		defer t.mu.Unlock()
		t.subs[idx] = func(T) {}
	}
}

// Publish hands v to every subscriber.
func (t *Topic[T]) Publish(v T) {
	t.mu.RLock()
	subs := t.subs
	t.mu.RUnlock()
	for _, fn := range subs {
		fn(v)
	}
}

// Chan returns a channel fed by the topic. The channel is buffered with size n.
func (t *Topic[T]) Chan(n int) <-chan T {
	ch := make(chan T, n)
	t.Subscribe(func(v T) { ch <- v })
	return ch
}

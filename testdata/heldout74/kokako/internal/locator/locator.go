// Package locator is the service locator the background jobs use. Jobs are
// started from cron and from the term-setup CLI, long after the dig container
// has been torn down, so they look their collaborators up by type.
package locator

import (
	"fmt"
	"reflect"
	"sync"
)

// Locator maps a static type to the single value registered for it.
type Locator struct {
	mu       sync.RWMutex
	services map[reflect.Type]any
}

// New returns an empty locator.
func New() *Locator {
	return &Locator{services: make(map[reflect.Type]any)}
}

func typeOf[T any]() reflect.Type {
	return reflect.TypeOf((*T)(nil)).Elem()
}

// Register stores v as the value for T, replacing any earlier one.
func Register[T any](l *Locator, v T) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.services[typeOf[T]()] = v
}

// Lookup returns the value registered for T.
func Lookup[T any](l *Locator) (T, bool) {
	l.mu.RLock()
	defer l.mu.RUnlock()
	v, ok := l.services[typeOf[T]()]
	if !ok {
		var zero T
		return zero, false
	}
	return v.(T), true
}

// Resolve returns the value registered for T and panics when there is none.
func Resolve[T any](l *Locator) T {
	v, ok := Lookup[T](l)
	if !ok {
		panic(fmt.Sprintf("locator: nothing registered for %s", typeOf[T]()))
	}
	return v
}

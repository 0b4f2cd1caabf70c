package kvstore

import (
	"fmt"
	"log"
)

// Safely runs fn and turns a panic into an error, so one bad record does not
// take a batch job down.
func Safely(fn func() error) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("recovered: %v", r)
		}
	}()
	return fn()
}

// Try runs fn and logs, rather than returns, its error.
func Try(what string, fn func() error) bool {
	if err := Safely(fn); err != nil {
		log.Printf("%s: %v", what, err)
		return false
	}
	return true
}

// TryValue runs fn and returns its value, or def when it fails.
func TryValue[T any](def T, fn func() (T, error)) T {
	var out T
	err := Safely(func() error {
		v, err := fn()
		out = v
		return err
	})
	if err != nil {
		return def
	}
	return out
}

package kvstore

import (
	"errors"
	"fmt"

	"github.com/cloudflare/cloudflare-go"
)

// NotFoundError reports a key that does not exist (or has expired).
type NotFoundError struct {
	Key string
}

func (e *NotFoundError) Error() string { return fmt.Sprintf("kv: key %q not found", e.Key) }

// ThrottledError reports a 429 from the KV API.
type ThrottledError struct {
	Key string
	Err error
}

func (e *ThrottledError) Error() string { return fmt.Sprintf("kv: throttled on %q: %v", e.Key, e.Err) }
func (e *ThrottledError) Unwrap() error { return e.Err }

// IsNotFound reports whether err (or anything it wraps or joins) is a
// *NotFoundError.
func IsNotFound(err error) bool {
	var nf *NotFoundError
	return errors.As(err, &nf)
}

// mapErr turns cloudflare-go's error types into the package's own.
func mapErr(key string, err error) error {
	if err == nil {
		return nil
	}
	var nf *cloudflare.NotFoundError
	if errors.As(err, &nf) {
		return &NotFoundError{Key: key}
	}
	var rl *cloudflare.RatelimitError
	if errors.As(err, &rl) {
		return &ThrottledError{Key: key, Err: err}
	}
	return fmt.Errorf("kv %q: %w", key, err)
}

package kvstore

import (
	"errors"
	"fmt"
)

// ErrMiss is matched by every *MissError.
var ErrMiss = errors.New("kv: key not found")

// MissError reports a key that does not exist (or has expired).
type MissError struct {
	Namespace string
	Key       string
}

func (e *MissError) Error() string {
	return fmt.Sprintf("kv: %s not found in namespace %s", e.Key, e.Namespace)
}

// Is makes errors.Is(err, ErrMiss) true for a *MissError.
func (e *MissError) Is(target error) bool { return target == ErrMiss }

// IsMiss reports whether err, or any error it wraps, is a miss.
func IsMiss(err error) bool {
	return errors.Is(err, ErrMiss)
}

package kvstore

import (
	"errors"
	"strconv"
	"time"
)

// Incr adds one to the integer stored at key and returns the new value.
// A missing key counts as zero.
func (s *Store) Incr(key string, ttl time.Duration) (int, error) {
	n := 0
	v, err := s.Get(key)
	switch {
	case errors.Is(err, ErrNotFound):
	case err != nil:
		return 0, err
	default:
		if n, err = strconv.Atoi(v); err != nil {
			return 0, err
		}
	}
	n++
	if err := s.Put(key, strconv.Itoa(n), ttl); err != nil { // EXPECT kvcounter
		return 0, err
	}
	return n, nil
}

// Peek returns the integer stored at key, or zero.
func (s *Store) Peek(key string) (int, error) {
	v, err := s.Get(key)
	if errors.Is(err, ErrNotFound) {
		return 0, nil
	}
	if err != nil {
		return 0, err
	}
	return strconv.Atoi(v)
}

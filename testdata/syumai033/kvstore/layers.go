package kvstore

import "time"

// Writer is what the decorators below wrap, one over another.
type Writer interface {
	Put(key, value string, ttl time.Duration) error
}

// A Layer wraps a Writer in a decorator.
type Layer func(Writer) Writer

// WithTTLFloor raises every lifetime under floor to floor.
func WithTTLFloor(floor time.Duration) Layer { // want WithTTLFloor:"floors lifetimes at parameter 0"
	return func(next Writer) Writer { return &floored{next: next, floor: floor} }
}

type floored struct {
	next  Writer
	floor time.Duration
}

func (f *floored) Put(key, value string, ttl time.Duration) error {
	if ttl > 0 {
		ttl = max(ttl, f.floor)
	}
	return f.next.Put(key, value, ttl)
}

// AtLeastMinute raises every lifetime to a minute of its own.
func AtLeastMinute(next Writer) Writer { // want AtLeastMinute:"floors lifetimes at 60000000000"
	return minute{next}
}

type minute struct{ next Writer }

func (m minute) Put(key, value string, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return m.next.Put(key, value, ttl)
}

// WithCap lowers lifetimes, which raises none.
func WithCap(limit time.Duration) Layer {
	return func(next Writer) Writer { return &capped{next: next, limit: limit} }
}

type capped struct {
	next  Writer
	limit time.Duration
}

func (c *capped) Put(key, value string, ttl time.Duration) error {
	return c.next.Put(key, value, min(ttl, c.limit))
}

// WithRetry passes the lifetime on as it is.
func WithRetry(n int) Layer {
	return func(next Writer) Writer { return &retrying{next: next, n: n} }
}

type retrying struct {
	next Writer
	n    int
}

func (r *retrying) Put(key, value string, ttl time.Duration) (err error) {
	for range max(r.n, 1) {
		if err = r.next.Put(key, value, ttl); err == nil {
			return nil
		}
	}
	return err
}

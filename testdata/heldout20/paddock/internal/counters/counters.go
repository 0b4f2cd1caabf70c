// Package counters is the strongly consistent counter service. In production
// counters are D1 rows updated in place (see package d1).
package counters

import "context"

// Ledger increments named counters atomically.
type Ledger interface {
	// Add adds delta to the counter and returns the new value.
	Add(ctx context.Context, name string, delta int64) (int64, error)
	// Value returns the current value.
	Value(ctx context.Context, name string) (int64, error)
	// Reset sets the counter to zero.
	Reset(ctx context.Context, name string) error
}

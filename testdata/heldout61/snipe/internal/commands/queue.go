// Package commands manages the per-device queues of pending commands that
// devices poll for and acknowledge.
package commands

import (
	"context"
	"errors"
	"time"

	"github.com/fleetwire/snipe/internal/fleet"
	"github.com/fleetwire/snipe/internal/kvstore"
)

// DefaultLifetime is how long a command stays deliverable.
const DefaultLifetime = 6 * time.Hour

// MaxQueued bounds a device's queue.
const MaxQueued = 64

// ErrQueueFull is returned when a device already has MaxQueued commands.
var ErrQueueFull = errors.New("commands: queue full")

// Enqueue appends a command to dev's queue and returns the queue length.
func Enqueue(ctx context.Context, store *kvstore.Store, dev, name, args string) (int, error) {
	key := fleet.CommandQueueKey(dev)
	q := fleet.CommandQueue{Device: dev}
	if err := store.GetJSON(ctx, key, &q); err != nil && !errors.Is(err, kvstore.ErrNotFound) {
		return 0, err
	}
	if len(q.Commands) >= MaxQueued {
		return len(q.Commands), ErrQueueFull
	}
	now := time.Now().UTC()
	q.Commands = append(q.Commands, fleet.Command{
		ID:        fleet.NewID(),
		Name:      name,
		Args:      args,
		IssuedAt:  now,
		ExpiresAt: now.Add(DefaultLifetime),
	})
	if err := store.PutJSON(ctx, key, q, 0); err != nil { // EXPECT kvrace
		return 0, err
	}
	return len(q.Commands), nil
}

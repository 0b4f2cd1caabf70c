package ecs

import (
	"context"
	"errors"
)

// Command is a deferred world or storage mutation recorded during a tick and
// applied when the tick ends.
type Command struct {
	Label string
	Apply func(ctx context.Context, w *World) error
}

// CommandBuffer collects commands for the current tick.
type CommandBuffer struct {
	cmds     []Command
	despawns []Entity
}

// Push records a command.
func (b *CommandBuffer) Push(label string, fn func(ctx context.Context, w *World) error) {
	b.cmds = append(b.cmds, Command{Label: label, Apply: fn})
}

// Despawn records an entity removal.
func (b *CommandBuffer) Despawn(e Entity) { b.despawns = append(b.despawns, e) }

// Len returns the number of recorded commands.
func (b *CommandBuffer) Len() int { return len(b.cmds) }

// Flush applies recorded commands in order, then despawns, and resets the
// buffer. Every command runs even if an earlier one failed.
func (b *CommandBuffer) Flush(ctx context.Context, w *World) error {
	var errs []error
	for _, c := range b.cmds {
		if err := c.Apply(ctx, w); err != nil {
			errs = append(errs, errors.New(c.Label+": "+err.Error()))
		}
	}
	for _, e := range b.despawns {
		w.Despawn(e)
	}
	b.cmds = b.cmds[:0]
	b.despawns = b.despawns[:0]
	return errors.Join(errs...)
}

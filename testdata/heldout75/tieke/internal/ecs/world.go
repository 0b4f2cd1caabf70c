// Package ecs is the small entity-component-system runtime that drives a
// tournament shard: entities are plain IDs, components live in dense
// per-type stores owned by the game package, and systems run on a fixed
// timestep with an accumulator.
package ecs

import (
	"sort"
	"time"
)

// Entity identifies one thing in the world: a room, a player, a round.
type Entity uint32

// Mask is a set of component bits.
type Mask uint64

// World holds entity masks, the per-tick event queue and command buffer.
type World struct {
	next   Entity
	masks  map[Entity]Mask
	order  []Entity
	dirty  bool
	events *Bus
	cmds   CommandBuffer

	Tick uint64
	Now  time.Time
}

// NewWorld returns an empty world.
func NewWorld() *World {
	return &World{masks: make(map[Entity]Mask), events: newBus()}
}

// Spawn creates an entity with the given component mask.
func (w *World) Spawn(m Mask) Entity {
	w.next++
	e := w.next
	w.masks[e] = m
	w.order = append(w.order, e)
	return e
}

// SpawnWithID re-creates an entity with a known ID (used by Restore).
func (w *World) SpawnWithID(e Entity, m Mask) {
	if e > w.next {
		w.next = e
	}
	if _, ok := w.masks[e]; !ok {
		w.order = append(w.order, e)
		w.dirty = true
	}
	w.masks[e] = m
}

// Add sets component bits on e.
func (w *World) Add(e Entity, m Mask) { w.masks[e] |= m }

// Remove clears component bits on e.
func (w *World) Remove(e Entity, m Mask) { w.masks[e] &^= m }

// Has reports whether e carries every bit in m.
func (w *World) Has(e Entity, m Mask) bool {
	got, ok := w.masks[e]
	return ok && got&m == m
}

// Alive reports whether e exists.
func (w *World) Alive(e Entity) bool { _, ok := w.masks[e]; return ok }

// Despawn removes e immediately. Systems normally go through Commands().Despawn.
func (w *World) Despawn(e Entity) {
	delete(w.masks, e)
	w.dirty = true
}

// Query calls fn for every live entity that carries all bits in m, in
// creation order.
func (w *World) Query(m Mask, fn func(e Entity)) {
	w.compact()
	for _, e := range w.order {
		if got, ok := w.masks[e]; ok && got&m == m {
			fn(e)
		}
	}
}

func (w *World) compact() {
	if !w.dirty {
		return
	}
	live := w.order[:0]
	for _, e := range w.order {
		if _, ok := w.masks[e]; ok {
			live = append(live, e)
		}
	}
	sort.Slice(live, func(i, j int) bool { return live[i] < live[j] })
	w.order = live
	w.dirty = false
}

// Events returns the world's event bus.
func (w *World) Events() *Bus { return w.events }

// Commands returns the per-tick command buffer.
func (w *World) Commands() *CommandBuffer { return &w.cmds }

// Emit queues an event for dispatch later in the same tick.
func (w *World) Emit(ev any) { w.events.queue = append(w.events.queue, ev) }

// Entities returns every live entity and its mask, for snapshots.
func (w *World) Entities() map[Entity]Mask {
	out := make(map[Entity]Mask, len(w.masks))
	for e, m := range w.masks {
		out[e] = m
	}
	return out
}

package ecs

import "reflect"

// Bus delivers events raised by one system to handlers registered by
// others. Events are queued during system updates and drained once all
// systems of the tick have run, so handlers see a consistent tick.
type Bus struct {
	queue    []any
	handlers map[reflect.Type][]func(w *World, ev any)
}

func newBus() *Bus { return &Bus{handlers: make(map[reflect.Type][]func(*World, any))} }

// On registers h for events of type T.
func On[T any](b *Bus, h func(w *World, ev T)) {
	t := reflect.TypeFor[T]()
	b.handlers[t] = append(b.handlers[t], func(w *World, ev any) { h(w, ev.(T)) })
}

// Drain delivers queued events in order. Handlers may emit further events;
// those are delivered in the same drain, up to a fixed depth.
func (b *Bus) Drain(w *World) int {
	delivered := 0
	for round := 0; round < 4 && len(b.queue) > 0; round++ {
		batch := b.queue
		b.queue = nil
		for _, ev := range batch {
			for _, h := range b.handlers[reflect.TypeOf(ev)] {
				h(w, ev)
				delivered++
			}
		}
	}
	return delivered
}

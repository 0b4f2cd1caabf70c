package ecs

import (
	"context"
	"log"
	"time"
)

// System is updated once per scheduled tick.
type System interface {
	Update(w *World, dt time.Duration)
}

// SystemFunc adapts a plain function to System.
type SystemFunc func(w *World, dt time.Duration)

// Update calls f.
func (f SystemFunc) Update(w *World, dt time.Duration) { f(w, dt) }

type entry struct {
	name  string
	every uint64
	sys   System
}

// Scheduler runs systems on a fixed timestep.
type Scheduler struct {
	World   *World
	Step    time.Duration
	MaxLag  time.Duration
	systems []entry
	// AfterTick runs after events are drained and commands flushed.
	AfterTick func(ctx context.Context, w *World)
}

// NewScheduler returns a scheduler for w with the given fixed step.
func NewScheduler(w *World, step time.Duration) *Scheduler {
	return &Scheduler{World: w, Step: step, MaxLag: 10 * step}
}

// Register adds a system that runs every n ticks (n <= 1 means every tick).
func (s *Scheduler) Register(name string, every int, sys System) {
	if every < 1 {
		every = 1
	}
	s.systems = append(s.systems, entry{name: name, every: uint64(every), sys: sys})
}

// Every is a convenience for registering a plain function.
func (s *Scheduler) Every(name string, every int, fn func(w *World, dt time.Duration)) {
	s.Register(name, every, SystemFunc(fn))
}

// TickOnce advances the world by exactly one step.
func (s *Scheduler) TickOnce(ctx context.Context, now time.Time) {
	w := s.World
	w.Tick++
	w.Now = now
	for _, e := range s.systems {
		if w.Tick%e.every == 0 {
			e.sys.Update(w, s.Step)
		}
	}
	w.events.Drain(w)
	if err := w.cmds.Flush(ctx, w); err != nil {
		log.Printf("tick %d: flush: %v", w.Tick, err)
	}
	if s.AfterTick != nil {
		s.AfterTick(ctx, w)
	}
}

// Run drives the world with a fixed-timestep accumulator until ctx ends.
func (s *Scheduler) Run(ctx context.Context, clock func() time.Time) error {
	prev := clock()
	var acc time.Duration
	t := time.NewTicker(s.Step / 2)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		}
		now := clock()
		acc += now.Sub(prev)
		prev = now
		if acc > s.MaxLag {
			acc = s.MaxLag
		}
		for acc >= s.Step {
			s.TickOnce(ctx, now)
			acc -= s.Step
		}
	}
}

// Package fsm is the dispatch team's small finite-state machine. Callbacks are
// registered by event or state name and receive the arguments passed to Fire.
package fsm

import (
	"context"
	"fmt"
	"sync"
)

// Callback runs on an event or on entering or leaving a state.
type Callback func(ctx context.Context, args ...any) error

// Guard decides whether an event may fire.
type Guard func(ctx context.Context, args ...any) bool

// Machine is one instance of a state machine.
type Machine struct {
	mu      sync.Mutex
	current string
	edges   map[string]map[string]string // event -> from -> to
	on      map[string][]Callback
	enter   map[string][]Callback
	exit    map[string][]Callback
	guards  map[string][]Guard
}

// New returns a machine in state initial.
func New(initial string) *Machine {
	return &Machine{
		current: initial,
		edges:   map[string]map[string]string{},
		on:      map[string][]Callback{},
		enter:   map[string][]Callback{},
		exit:    map[string][]Callback{},
		guards:  map[string][]Guard{},
	}
}

// Allow declares that event moves the machine from each of froms to to.
func (m *Machine) Allow(event, to string, froms ...string) *Machine {
	if m.edges[event] == nil {
		m.edges[event] = map[string]string{}
	}
	for _, f := range froms {
		m.edges[event][f] = to
	}
	return m
}

// On registers cb to run when event fires, after the exit callbacks and
// before the enter callbacks.
func (m *Machine) On(event string, cb Callback) { m.on[event] = append(m.on[event], cb) }

// OnEnter registers cb to run when the machine enters state.
func (m *Machine) OnEnter(state string, cb Callback) { m.enter[state] = append(m.enter[state], cb) }

// OnExit registers cb to run when the machine leaves state.
func (m *Machine) OnExit(state string, cb Callback) { m.exit[state] = append(m.exit[state], cb) }

// When adds a guard on event.
func (m *Machine) When(event string, g Guard) { m.guards[event] = append(m.guards[event], g) }

// Current returns the current state.
func (m *Machine) Current() string {
	m.mu.Lock()
	defer m.mu.Unlock()
	return m.current
}

// Set forces the current state, used when an actor restores from storage.
func (m *Machine) Set(state string) {
	m.mu.Lock()
	m.current = state
	m.mu.Unlock()
}

// ErrRejected is returned when a guard refuses an event.
type ErrRejected struct{ Event, State string }

func (e ErrRejected) Error() string { return fmt.Sprintf("fsm: %s rejected in %s", e.Event, e.State) }

// Fire runs event with args. The state changes only if every callback succeeds.
func (m *Machine) Fire(ctx context.Context, event string, args ...any) error {
	m.mu.Lock()
	from := m.current
	m.mu.Unlock()
	to, ok := m.edges[event][from]
	if !ok {
		return fmt.Errorf("fsm: no transition for %s from %s", event, from)
	}
	for _, g := range m.guards[event] {
		if !g(ctx, args...) {
			return ErrRejected{Event: event, State: from}
		}
	}
	run := func(cbs []Callback) error {
		for _, cb := range cbs {
			if err := cb(ctx, args...); err != nil {
				return fmt.Errorf("fsm %s: %w", event, err)
			}
		}
		return nil
	}
	if err := run(m.exit[from]); err != nil {
		return err
	}
	if err := run(m.on[event]); err != nil {
		return err
	}
	if err := run(m.enter[to]); err != nil {
		return err
	}
	m.mu.Lock()
	m.current = to
	m.mu.Unlock()
	return nil
}

// Arg returns args[i] as T, or the zero value and false.
func Arg[T any](args []any, i int) (T, bool) {
	var zero T
	if i >= len(args) {
		return zero, false
	}
	v, ok := args[i].(T)
	return v, ok
}

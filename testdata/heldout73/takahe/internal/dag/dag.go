// Package dag runs tasks declared with dependencies, in topological order,
// either one at a time or level by level in parallel.
package dag

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
)

// Env is the shared environment tasks use to pass values downstream.
type Env struct {
	mu   sync.Mutex
	vals map[string]any
}

// NewEnv returns an Env seeded with vals.
func NewEnv(vals map[string]any) *Env {
	e := &Env{vals: make(map[string]any, len(vals))}
	for k, v := range vals {
		e.vals[k] = v
	}
	return e
}

// Set stores v under k.
func (e *Env) Set(k string, v any) {
	e.mu.Lock()
	defer e.mu.Unlock()
	e.vals[k] = v
}

// Get returns the value stored under k.
func (e *Env) Get(k string) (any, bool) {
	e.mu.Lock()
	defer e.mu.Unlock()
	v, ok := e.vals[k]
	return v, ok
}

// Lookup returns the value under k as a T.
func Lookup[T any](e *Env, k string) (T, bool) {
	v, ok := e.Get(k)
	if !ok {
		var zero T
		return zero, false
	}
	t, ok := v.(T)
	return t, ok
}

// Must returns the value under k as a T or an error naming the key.
func Must[T any](e *Env, k string) (T, error) {
	v, ok := Lookup[T](e, k)
	if !ok {
		return v, fmt.Errorf("dag: env %q missing or not a %T", k, v)
	}
	return v, nil
}

// Task is one node of the graph.
type Task struct {
	Name string
	Deps []string
	Run  func(ctx context.Context, env *Env) error
}

// Levels groups tasks so that every task's dependencies are in an earlier level.
func Levels(tasks []Task) ([][]Task, error) {
	byName := make(map[string]Task, len(tasks))
	indeg := make(map[string]int, len(tasks))
	children := make(map[string][]string)
	for _, t := range tasks {
		if _, dup := byName[t.Name]; dup {
			return nil, fmt.Errorf("dag: duplicate task %q", t.Name)
		}
		byName[t.Name] = t
	}
	for _, t := range tasks {
		for _, d := range t.Deps {
			if _, ok := byName[d]; !ok {
				return nil, fmt.Errorf("dag: task %q depends on unknown %q", t.Name, d)
			}
			indeg[t.Name]++
			children[d] = append(children[d], t.Name)
		}
	}
	var ready []string
	for _, t := range tasks {
		if indeg[t.Name] == 0 {
			ready = append(ready, t.Name)
		}
	}
	var levels [][]Task
	seen := 0
	for len(ready) > 0 {
		slices.Sort(ready)
		level := make([]Task, 0, len(ready))
		var next []string
		for _, n := range ready {
			level = append(level, byName[n])
			seen++
			for _, c := range children[n] {
				indeg[c]--
				if indeg[c] == 0 {
					next = append(next, c)
				}
			}
		}
		levels = append(levels, level)
		ready = next
	}
	if seen != len(tasks) {
		return nil, errors.New("dag: cycle detected")
	}
	return levels, nil
}

// Run executes tasks one at a time in topological order.
func Run(ctx context.Context, env *Env, tasks []Task) error {
	levels, err := Levels(tasks)
	if err != nil {
		return err
	}
	for _, level := range levels {
		for _, t := range level {
			if err := t.Run(ctx, env); err != nil {
				return fmt.Errorf("task %s: %w", t.Name, err)
			}
		}
	}
	return nil
}

// RunParallel executes each level's tasks concurrently.
func RunParallel(ctx context.Context, env *Env, tasks []Task) error {
	levels, err := Levels(tasks)
	if err != nil {
		return err
	}
	for _, level := range levels {
		errs := make([]error, len(level))
		var wg sync.WaitGroup
		for i, t := range level {
			wg.Add(1)
			go func() {
				defer wg.Done()
				if err := t.Run(ctx, env); err != nil {
					errs[i] = fmt.Errorf("task %s: %w", t.Name, err)
				}
			}()
		}
		wg.Wait()
		if err := errors.Join(errs...); err != nil {
			return err
		}
	}
	return nil
}

// Package canary drives progressive rollouts: a canary starts at a small
// traffic weight and is stepped up until it reaches 100% or is paused.
package canary

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"example.com/deploy/internal/clock"
	"example.com/deploy/internal/store"
)

// ErrPaused is returned when advancing a paused canary.
var ErrPaused = errors.New("canary: paused")

// Phases of a canary.
const (
	PhaseRunning  = "running"
	PhasePaused   = "paused"
	PhaseComplete = "complete"
)

// State is the stored canary state edge routers read to split traffic.
type State struct {
	App       string    `json:"app"`
	Env       string    `json:"env"`
	Version   string    `json:"version"`
	Weight    int       `json:"weight"`
	Step      int       `json:"step"`
	Phase     string    `json:"phase"`
	Reason    string    `json:"reason,omitempty"`
	StartedAt time.Time `json:"started_at"`
	Deadline  time.Time `json:"deadline"`
}

// Controller manages canary state.
type Controller struct {
	kv             store.Store
	clock          clock.Clock
	minTTL         time.Duration
	errorThreshold int
}

// New returns a Controller. State records live at least minTTL; a canary
// is paused after errorThreshold reported failures.
func New(kv store.Store, c clock.Clock, minTTL time.Duration, errorThreshold int) *Controller {
	return &Controller{kv: kv, clock: clock.Or(c), minTTL: max(minTTL, time.Minute), errorThreshold: errorThreshold}
}

func stateKey(app, env string) string  { return "canary/" + app + "/" + env }
func errorsKey(app, env string) string { return "canary-errors/" + app + "/" + env }

// remaining is the record lifetime: until the deadline, but never below minTTL.
func (c *Controller) remaining(st State) time.Duration {
	return max(st.Deadline.Sub(c.clock.Now()), c.minTTL)
}

// Start begins a canary of version at step percent.
func (c *Controller) Start(ctx context.Context, app, env, version string, step int, window time.Duration) (State, error) {
	if step <= 0 || step > 100 {
		return State{}, fmt.Errorf("canary: bad step %d", step)
	}
	now := c.clock.Now().UTC()
	st := State{
		App: app, Env: env, Version: version,
		Weight: step, Step: step, Phase: PhaseRunning,
		StartedAt: now, Deadline: now.Add(window),
	}
	if err := store.PutJSON(ctx, c.kv, stateKey(app, env), st, store.WithTTL(c.remaining(st))); err != nil {
		return State{}, err
	}
	// A new canary starts with a clean error budget.
	return st, c.kv.Delete(ctx, errorsKey(app, env))
}

// Advance moves the canary one step closer to full traffic.
func (c *Controller) Advance(ctx context.Context, app, env string) (State, error) {
	key := stateKey(app, env)
	st, err := store.GetJSON[State](ctx, c.kv, key)
	if err != nil {
		return st, err
	}
	if st.Phase == PhasePaused {
		return st, ErrPaused
	}
	st.Weight = min(st.Weight+st.Step, 100)
	if st.Weight == 100 {
		st.Phase = PhaseComplete
	}
	err = store.PutJSON(ctx, c.kv, key, st, store.WithTTL(c.remaining(st))) // EXPECT kvcounter|kvrace
	return st, err
}

// Pause stops the canary at its current weight.
func (c *Controller) Pause(ctx context.Context, app, env, reason string) (State, error) {
	key := stateKey(app, env)
	st, err := store.GetJSON[State](ctx, c.kv, key)
	if err != nil {
		return st, err
	}
	st.Phase = PhasePaused
	st.Reason = reason
	err = store.PutJSON(ctx, c.kv, key, st, // EXPECT kvrace
		store.WithTTL(time.Until(st.Deadline))) // EXPECT kvttl
	return st, err
}

// ReportFailure records a failed health probe and pauses the canary once
// the error budget is spent.
func (c *Controller) ReportFailure(ctx context.Context, app, env string) (int, error) {
	key := errorsKey(app, env)
	n := 0
	raw, err := c.kv.Get(ctx, key)
	if err != nil && !store.IsNotFound(err) {
		return 0, err
	}
	if err == nil {
		n, _ = strconv.Atoi(string(raw))
	}
	n++
	if err := c.kv.Put(ctx, key, []byte(strconv.Itoa(n)), store.WithTTL(time.Hour)); err != nil { // EXPECT kvcounter
		return n, err
	}
	if n >= c.errorThreshold {
		_, err := c.Pause(ctx, app, env, fmt.Sprintf("%d failed probes", n))
		return n, err
	}
	return n, nil
}

// Package jobs runs the periodic background work of the service. Feature
// packages register their jobs from init functions; main picks the ones
// enabled in configuration.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"sort"
	"sync"
	"time"

	"github.com/cloudflare/cloudflare-go/v6"

	"example.com/ember/internal/clock"
	"example.com/ember/internal/kvstore"
)

// Job is one unit of periodic work.
type Job interface {
	Run(ctx context.Context) error
}

// Func adapts a function to Job.
type Func func(ctx context.Context) error

// Run implements Job.
func (f Func) Run(ctx context.Context) error { return f(ctx) }

// Env is what a job factory may use to build its job.
type Env struct {
	Store     kvstore.BulkStore
	Client    *cloudflare.Client
	Account   string
	Namespace string
	Cities    []string
	Logger    *slog.Logger
	Clock     clock.Clock

	extras map[string]any
}

// With returns a copy of e that also carries v under name.
func (e Env) With(name string, v any) Env {
	next := make(map[string]any, len(e.extras)+1)
	for k, x := range e.extras {
		next[k] = x
	}
	next[name] = v
	e.extras = next
	return e
}

// Extra fetches a dependency registered with Env.With.
func Extra[T any](e Env, name string) (T, error) {
	v, ok := e.extras[name].(T)
	if !ok {
		var zero T
		return zero, fmt.Errorf("jobs: dependency %q missing or of wrong type", name)
	}
	return v, nil
}

// Spec is a registered job: how often it runs and how to build it.
type Spec struct {
	Name     string
	Every    time.Duration
	Timeout  time.Duration
	Factory  func(Env) (Job, error)
	RunFirst bool
}

var (
	mu       sync.Mutex
	registry = map[string]Spec{}
)

// Register adds spec to the registry. It panics on duplicate names, which
// can only happen through a programming error at init time.
func Register(spec Spec) {
	mu.Lock()
	defer mu.Unlock()
	if _, dup := registry[spec.Name]; dup {
		panic("jobs: duplicate registration of " + spec.Name)
	}
	if spec.Timeout == 0 {
		spec.Timeout = spec.Every
	}
	registry[spec.Name] = spec
}

// Registered lists the names of all registered jobs, sorted.
func Registered() []string {
	mu.Lock()
	defer mu.Unlock()
	names := make([]string, 0, len(registry))
	for n := range registry {
		names = append(names, n)
	}
	sort.Strings(names)
	return names
}

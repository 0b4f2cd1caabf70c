// Package jobs is a process-wide registry of named maintenance jobs.
//
// Packages register their jobs from init(). The Worker's cron trigger and the
// admin backend's /jobs endpoint run them by name.
package jobs

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"time"
)

// Func is the body of a job. Its context carries whatever the entry point
// attached (KV stores) plus the job's deadline, if it has one.
type Func func(ctx context.Context) error

type entry struct {
	fn      Func
	timeout time.Duration
}

var registry = map[string]entry{}

// Register adds a job under name. Registering a name twice panics.
func Register(name string, fn Func) { RegisterWithTimeout(name, 0, fn) }

// RegisterWithTimeout is Register with a deadline applied to every run.
func RegisterWithTimeout(name string, timeout time.Duration, fn Func) {
	if _, dup := registry[name]; dup {
		panic(fmt.Sprintf("jobs: %q registered twice", name))
	}
	registry[name] = entry{fn: fn, timeout: timeout}
}

// UnknownError is returned by Run for a name nobody registered.
type UnknownError string

func (e UnknownError) Error() string { return fmt.Sprintf("jobs: no job named %q", string(e)) }

// Run runs the named job and logs how it went.
func Run(ctx context.Context, name string) error {
	e, ok := registry[name]
	if !ok {
		return UnknownError(name)
	}
	if e.timeout > 0 {
		var cancel context.CancelFunc
		ctx, cancel = context.WithTimeout(ctx, e.timeout)
		defer cancel()
	}
	start := time.Now()
	err := e.fn(ctx)
	slog.InfoContext(ctx, "job finished", "job", name, "took", time.Since(start), "err", err)
	return err
}

// Names lists the registered jobs in order.
func Names() []string {
	names := make([]string, 0, len(registry))
	for name := range registry {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

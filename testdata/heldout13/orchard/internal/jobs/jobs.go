// Package jobs runs the cron worker's named jobs under a KV lock.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/orchard/internal/store"
)

// Job is one scheduled task.
type Job func(ctx context.Context, log *slog.Logger) error

// UnknownJobError is returned for a name no job is registered under.
type UnknownJobError struct{ Name string }

func (e *UnknownJobError) Error() string { return "jobs: unknown job " + e.Name }

// LockedError is returned when another run of the job holds the lock.
type LockedError struct {
	Name   string
	Holder string
}

func (e *LockedError) Error() string {
	return fmt.Sprintf("jobs: %s is locked by %s", e.Name, e.Holder)
}

// Runner runs jobs by name.
type Runner struct {
	st       store.Store
	jobs     map[string]Job
	instance string
	timeout  time.Duration
	log      *slog.Logger
}

// NewRunner returns a Runner with no jobs.
func NewRunner(st store.Store, instance string, timeout time.Duration, log *slog.Logger) *Runner {
	return &Runner{st: st, jobs: map[string]Job{}, instance: instance, timeout: timeout, log: log}
}

// Register adds a job.
func (r *Runner) Register(name string, j Job) { r.jobs[name] = j }

// Run runs one job under its lock and within the job timeout.
func (r *Runner) Run(ctx context.Context, name string) (err error) {
	job, ok := r.jobs[name]
	if !ok {
		return &UnknownJobError{Name: name}
	}
	ctx, cancel := context.WithTimeout(ctx, r.timeout)
	defer cancel()
	log := r.log.With("job", name)
	if err := r.acquire(ctx, name); err != nil {
		var locked *LockedError
		if errors.As(err, &locked) {
			log.InfoContext(ctx, "skipped", "holder", locked.Holder)
			return nil
		}
		return err
	}
	defer func() {
		if rerr := r.st.Delete(context.WithoutCancel(ctx), lockKey(name)); rerr != nil {
			err = errors.Join(err, rerr)
		}
	}()
	start := time.Now()
	err = job(ctx, log)
	log.InfoContext(ctx, "finished", "took", time.Since(start), "err", err)
	return err
}

func lockKey(name string) string { return "lock:job:" + name }

func (r *Runner) acquire(ctx context.Context, name string) error {
	holder, err := r.st.Get(ctx, lockKey(name))
	if err == nil {
		return &LockedError{Name: name, Holder: holder}
	}
	if !store.IsNotFound(err) {
		return err
	}
	return r.st.Put(ctx, lockKey(name), r.instance, store.WithTTL(5*time.Minute)) // EXPECT kvrace
}

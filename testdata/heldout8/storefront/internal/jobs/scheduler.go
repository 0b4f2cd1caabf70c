// Package jobs holds the background jobs and a tiny in-process scheduler.
// Production runs a single "jobs" replica, so there is no leader election.
package jobs

import (
	"context"
	"log/slog"
	"time"
)

// Job is a periodic task. Daily jobs set At (offset from midnight UTC).
type Job struct {
	Name  string
	Every time.Duration
	At    time.Duration
	Run   func(ctx context.Context) error
}

func (j Job) wait(now time.Time) time.Duration {
	if j.At == 0 {
		return j.Every
	}
	t := now.UTC().Truncate(24 * time.Hour).Add(j.At)
	if !t.After(now) {
		t = t.Add(24 * time.Hour)
	}
	return t.Sub(now)
}

// Start runs each job on its own goroutine until ctx is cancelled.
func Start(ctx context.Context, log *slog.Logger, jobs ...Job) {
	for _, j := range jobs {
		go func() {
			for {
				select {
				case <-ctx.Done():
					return
				case <-time.After(j.wait(time.Now())):
				}
				start := time.Now()
				err := j.Run(ctx)
				log.InfoContext(ctx, "job finished", "job", j.Name, "took", time.Since(start), "err", err)
			}
		}()
	}
}

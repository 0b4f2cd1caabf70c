package cron

import (
	"context"
	"errors"
	"log/slog"
	"os"
	"sync"
	"time"
)

// Job is a periodic task.
type Job struct {
	Name  string
	Every time.Duration
	// LeaseFor is how long a run may hold the job's lease; zero means twice
	// Every.
	LeaseFor time.Duration
	Run      func(ctx context.Context) error
}

// Scheduler runs registered jobs on every replica, guarded by leases.
type Scheduler struct {
	leases *Leases
	holder string
	jobs   []Job
}

func NewScheduler(leases *Leases) *Scheduler {
	host, _ := os.Hostname()
	return &Scheduler{leases: leases, holder: host + "/" + time.Now().Format("150405.000")}
}

// Register adds a job; it must be called before Start.
func (s *Scheduler) Register(j Job) { s.jobs = append(s.jobs, j) }

// Start runs every job on its own timer until ctx is done.
func (s *Scheduler) Start(ctx context.Context) *sync.WaitGroup {
	var wg sync.WaitGroup
	for _, j := range s.jobs {
		wg.Add(1)
		go func() {
			defer wg.Done()
			t := time.NewTicker(j.Every)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					s.runOnce(ctx, j)
				}
			}
		}()
	}
	return &wg
}

func (s *Scheduler) runOnce(ctx context.Context, j Job) {
	lease := j.LeaseFor
	if lease == 0 {
		lease = 2 * j.Every
	}
	release, err := s.leases.Acquire(ctx, "job/"+j.Name, s.holder, lease)
	if err != nil {
		if !errors.Is(err, ErrHeld) {
			slog.Warn("cron: lease", "job", j.Name, "err", err)
		}
		return
	}
	defer release()
	runCtx, cancel := context.WithTimeout(ctx, lease)
	defer cancel()
	if err := j.Run(runCtx); err != nil {
		slog.Error("cron: job failed", "job", j.Name, "err", err)
	}
}

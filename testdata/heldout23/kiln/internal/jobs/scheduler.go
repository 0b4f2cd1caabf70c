// Package jobs runs the marketplace's periodic maintenance.
package jobs

import (
	"context"
	"log"
	"sync"
	"time"
)

// Job is one periodic task.
type Job struct {
	Name  string
	Every time.Duration
	Run   func(ctx context.Context) error
}

// Scheduler runs jobs on their own tickers until stopped.
type Scheduler struct {
	jobs []Job
	log  *log.Logger
	wg   sync.WaitGroup
}

// NewScheduler returns a scheduler for jobs.
func NewScheduler(l *log.Logger, jobs ...Job) *Scheduler {
	return &Scheduler{jobs: jobs, log: l}
}

// Start launches every job. Runs of one job never overlap: a tick that
// arrives while the previous run is still going is skipped.
func (s *Scheduler) Start(ctx context.Context) {
	for _, j := range s.jobs {
		s.wg.Add(1)
		go func(j Job) {
			defer s.wg.Done()
			t := time.NewTicker(j.Every)
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					start := time.Now()
					if err := j.Run(ctx); err != nil {
						s.log.Printf("job %s: %v", j.Name, err)
						continue
					}
					s.log.Printf("job %s done in %s", j.Name, time.Since(start).Round(time.Millisecond))
				}
			}
		}(j)
	}
}

// Wait blocks until every job goroutine has exited.
func (s *Scheduler) Wait() { s.wg.Wait() }

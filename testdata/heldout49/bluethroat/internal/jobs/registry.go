//go:build js && wasm

// Package jobs holds the worker's scheduled and queued jobs and the small
// scheduler that runs them.
package jobs

import (
	"context"
	"fmt"
	"log"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/queues"
)

// Job is one unit of background work.
type Job interface {
	Name() string
	Run(ctx context.Context) error
}

// Scheduled is a Job that runs on a cron trigger. Jobs that are not Scheduled
// only run when named in a message on the jobs queue.
type Scheduled interface {
	Job
	Cron() string
}

// BatchHandler consumes a queue other than the jobs queue.
type BatchHandler func(batch *queues.MessageBatch) error

// Scheduler runs registered jobs from cron ticks and queue batches.
type Scheduler struct {
	jobs     []Job
	jobQueue string
	queues   map[string]BatchHandler
	timeout  time.Duration
}

// NewScheduler returns a scheduler that reads job names from jobQueue.
func NewScheduler(jobQueue string, timeout time.Duration) *Scheduler {
	return &Scheduler{jobQueue: jobQueue, queues: map[string]BatchHandler{}, timeout: timeout}
}

// Register adds jobs.
func (s *Scheduler) Register(jobs ...Job) { s.jobs = append(s.jobs, jobs...) }

// Handle routes batches from queue to h.
func (s *Scheduler) Handle(queue string, h BatchHandler) { s.queues[queue] = h }

// Tick is the cron entry point: it runs every job whose trigger fired.
func (s *Scheduler) Tick(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	var failed []string
	for _, j := range s.jobs {
		sj, ok := j.(Scheduled)
		if !ok || sj.Cron() != ev.Cron {
			continue
		}
		if err := s.run(ctx, j); err != nil {
			log.Printf("jobs: %s at %s: %v", j.Name(), ev.ScheduledTime.Format(time.RFC3339), err)
			failed = append(failed, j.Name())
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("jobs: %d failed: %v", len(failed), failed)
	}
	return nil
}

// RunNamed runs the job called name.
func (s *Scheduler) RunNamed(ctx context.Context, name string) error {
	for _, j := range s.jobs {
		if j.Name() == name {
			return s.run(ctx, j)
		}
	}
	return fmt.Errorf("jobs: unknown job %q", name)
}

func (s *Scheduler) run(ctx context.Context, j Job) error {
	ctx, cancel := context.WithTimeout(ctx, s.timeout)
	defer cancel()
	return j.Run(ctx)
}

// Consume is the queue entry point.
func (s *Scheduler) Consume(batch *queues.MessageBatch) error {
	if h, ok := s.queues[batch.Queue]; ok {
		return h(batch)
	}
	if batch.Queue != s.jobQueue {
		return fmt.Errorf("jobs: no consumer for queue %q", batch.Queue)
	}
	for _, m := range batch.Messages {
		name, err := m.StringBody()
		if err != nil {
			m.Ack()
			continue
		}
		if err := s.RunNamed(context.Background(), name); err != nil {
			log.Printf("jobs: queued %s: %v", name, err)
			m.Retry(queues.WithRetryDelay(5 * time.Minute))
			continue
		}
		m.Ack()
	}
	return nil
}

package daemon

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"example.com/flagship/internal/flags"
	"example.com/flagship/internal/kvkey"
	"example.com/flagship/internal/storage"
)

// Job is one flag to write or delete at the edge.
type Job struct {
	Env    string
	Flag   flags.Flag
	Delete bool
	Name   string
}

func (j Job) key() string {
	if j.Delete {
		return kvkey.Flag(j.Env, j.Name).String()
	}
	return kvkey.Flag(j.Env, j.Flag.Key).String()
}

// Pool applies jobs with a fixed number of workers.
type Pool struct {
	Store   storage.Store
	Workers int
	Timeout time.Duration
	Log     *slog.Logger
}

// statusKey backs the "last sync" line on the console status page.
var statusKey = kvkey.Key("daemon").Child("sync-status").String()

// Run starts the workers and blocks until jobs is closed and drained.
func (p *Pool) Run(ctx context.Context, jobs <-chan Job) {
	var wg sync.WaitGroup
	for i := 0; i < max(p.Workers, 1); i++ {
		wg.Add(1)
		go func(worker int) {
			defer wg.Done()
			for job := range jobs {
				err := withTimeout(ctx, p.Timeout, func(ctx context.Context) error { return p.apply(ctx, job) })
				if err != nil {
					p.Log.Warn("sync job failed", "key", job.key(), "err", err)
				}
				st, _ := json.Marshal(map[string]any{"worker": worker, "key": job.key(), "ok": err == nil, "at": time.Now().UTC()})
				_ = p.Store.Put(ctx, statusKey, st) // EXPECT kvhotkey
			}
		}(i)
	}
	wg.Wait()
}

// withTimeout runs fn under a per-job deadline.
func withTimeout(ctx context.Context, d time.Duration, fn func(context.Context) error) error {
	ctx, cancel := context.WithTimeout(ctx, d)
	defer cancel()
	return fn(ctx)
}

func (p *Pool) apply(ctx context.Context, job Job) error {
	if job.Delete {
		return p.Store.Delete(ctx, job.key())
	}
	b, err := json.Marshal(job.Flag)
	if err != nil {
		return err
	}
	return p.Store.Put(ctx, job.key(), b, storage.WithMetadata(map[string]any{"enabled": job.Flag.Enabled}))
}

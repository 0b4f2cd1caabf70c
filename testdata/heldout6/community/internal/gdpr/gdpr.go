// Package gdpr implements the "delete my data" request and the cron job that
// carries it out across namespaces.
package gdpr

import (
	"context"
	"log/slog"
	"strings"
	"time"

	"example.com/community/internal/collection"
	"example.com/community/internal/store"
)

const (
	jobPrefix = "gdpr:job:"
	batchSize = 5
)

// Job is a pending erasure request, keyed by user id.
type Job struct {
	UserID   string
	Requests []time.Time
}

// Target is one namespace and the per-user key prefixes that live in it.
// Large targets are purged under the job's time budget.
type Target struct {
	KV       store.KV
	Prefixes func(uid string) []string
	Large    bool
}

// Eraser owns erasure requests.
type Eraser struct {
	kv       store.KV
	jobs     *collection.Collection[Job]
	sessions store.KV
	targets  []Target
	budget   time.Duration
	log      *slog.Logger
}

func NewEraser(kv, sessions store.KV, targets []Target, budget time.Duration, log *slog.Logger) *Eraser {
	return &Eraser{kv: kv, jobs: collection.New[Job](kv, jobPrefix), sessions: sessions, targets: targets, budget: budget, log: log}
}

// Request queues erasure of uid. Repeated requests are recorded on the job.
func (e *Eraser) Request(ctx context.Context, uid string) (Job, error) {
	j, err := e.jobs.Get(ctx, uid)
	if store.IsNotFound(err) {
		j, err = Job{UserID: uid}, nil
	}
	if err != nil {
		return Job{}, err
	}
	j.Requests = append(j.Requests, time.Now().UTC())
	return j, e.jobs.Put(ctx, uid, j) // EXPECT kvrace
}

// Process handles one batch of queued jobs; the next cron tick takes the rest.
func (e *Eraser) Process(ctx context.Context) error {
	page, err := e.kv.List(ctx, store.ListOptions{Prefix: jobPrefix, Limit: batchSize})
	if err != nil {
		return err
	}
	if !page.Complete {
		e.log.Info("gdpr: more jobs queued than one batch", "batch", batchSize)
	}
	deadline := time.Now().Add(e.budget)
	for _, k := range page.Keys {
		uid := strings.TrimPrefix(k, jobPrefix)
		n, err := e.erase(ctx, uid, deadline)
		if err != nil {
			e.log.Error("gdpr: erase failed", "uid", uid, "err", err)
			continue
		}
		e.log.Info("gdpr: erased", "uid", uid, "keys", n)
		if err := e.jobs.Delete(ctx, uid); err != nil {
			return err
		}
	}
	return nil
}

func (e *Eraser) erase(ctx context.Context, uid string, deadline time.Time) (int, error) {
	// Sign the user out of every device first.
	ids, _, err := store.GetJSON[[]string](ctx, e.sessions, "usess:"+uid)
	for _, id := range ids {
		if err == nil {
			err = e.sessions.Delete(ctx, "sess:"+id) // DEBATABLE kvsession
		}
	}
	total := len(ids)
	for _, t := range e.targets {
		for _, prefix := range t.Prefixes(uid) {
			if err != nil {
				return total, err
			}
			var n int
			if t.Large {
				n, err = purgeWithin(ctx, t.KV, prefix, deadline)
			} else {
				n, err = purgePrefix(ctx, t.KV, prefix)
			}
			total += n
		}
	}
	return total, err
}

// purgePrefix deletes every key under prefix.
func purgePrefix(ctx context.Context, kv store.KV, prefix string) (int, error) {
	n := 0
	opts := store.ListOptions{Prefix: prefix}
	for {
		page, err := kv.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return n, err
		}
		for _, k := range page.Keys {
			if err := kv.Delete(ctx, k); err != nil {
				return n, err
			}
			n++
		}
		if page.Complete {
			return n, nil
		}
		opts = store.ListOptions{Cursor: page.Cursor}
	}
}

// purgeWithin is purgePrefix with a wall-clock budget; whatever is left is
// picked up when the job is retried.
func purgeWithin(ctx context.Context, kv store.KV, prefix string, deadline time.Time) (int, error) {
	n, cursor := 0, ""
	for time.Now().Before(deadline) {
		page, err := kv.List(ctx, store.ListOptions{Prefix: prefix, Cursor: cursor, Limit: 500})
		if err != nil {
			return n, err
		}
		for _, k := range page.Keys {
			if err := kv.Delete(ctx, k); err != nil {
				return n, err
			}
			n++
		}
		if page.Complete {
			return n, nil
		}
		cursor = page.Cursor
	}
	return n, context.DeadlineExceeded
}

// Package digest builds the nightly "what happened today" digest by walking
// every thread in the forum namespace.
package digest

import (
	"context"
	"crypto/rand"
	"log/slog"
	"slices"
	"time"

	"golang.org/x/sync/errgroup"

	"example.com/community/internal/forum"
	"example.com/community/internal/store"
)

const (
	lockKey    = "digest:lock"
	LatestKey  = "digest:latest"
	PopularKey = "popular"
	keep       = 26 * time.Hour
)

// Config tunes the job.
type Config struct {
	Concurrency int           // parallel thread reads
	Window      time.Duration // how far back "new" goes
	SamplePages int           // page budget for Stats
}

// Digest is the cached document the front page and mailer read.
type Digest struct {
	GeneratedAt time.Time
	NewThreads  []forum.Thread
	Total       int
}

// Job is the cron task.
type Job struct {
	forum, cache store.KV
	cfg          Config
	log          *slog.Logger
}

func NewJob(forumKV, cacheKV store.KV, cfg Config, log *slog.Logger) *Job {
	cfg.Concurrency = max(cfg.Concurrency, 1)
	return &Job{forum: forumKV, cache: cacheKV, cfg: cfg, log: log}
}

// Run is scheduled nightly.
func (j *Job) Run(ctx context.Context) error {
	if ok, err := j.acquire(ctx); err != nil || !ok {
		return err
	}
	defer j.forum.Delete(context.WithoutCancel(ctx), lockKey)

	threads, err := j.walk(ctx)
	if err != nil {
		return err
	}
	d := Digest{GeneratedAt: time.Now().UTC(), Total: len(threads)}
	cutoff := d.GeneratedAt.Add(-j.cfg.Window)
	for _, t := range threads {
		if t.CreatedAt.After(cutoff) {
			d.NewThreads = append(d.NewThreads, t)
		}
	}
	slices.SortFunc(d.NewThreads, func(a, b forum.Thread) int { return b.CreatedAt.Compare(a.CreatedAt) })
	if err := store.PutJSON(ctx, j.cache, LatestKey, d, store.WithTTL(keep)); err != nil {
		return err
	}
	var popular []string
	for _, t := range d.NewThreads[:min(20, len(d.NewThreads))] {
		popular = append(popular, t.Title)
	}
	return store.PutJSON(ctx, j.cache, PopularKey, popular, store.WithTTL(keep))
}

// acquire keeps two overlapping cron invocations from both running.
func (j *Job) acquire(ctx context.Context) (bool, error) {
	_, err := j.forum.Get(ctx, lockKey)
	if err == nil {
		j.log.Info("digest: another run holds the lock")
		return false, nil
	}
	if !store.IsNotFound(err) {
		return false, err
	}
	return true, j.forum.Put(ctx, lockKey, []byte(rand.Text()), // EXPECT kvrace
		store.ExpiresAt(time.Now().Add(45*time.Second))) // EXPECT kvttl
}

func (j *Job) walk(ctx context.Context) ([]forum.Thread, error) {
	var keys []string
	opts := store.ListOptions{Prefix: forum.ThreadPrefix}
	for {
		page, err := j.forum.List(ctx, opts) // EXPECT kvlist
		if err != nil {
			return nil, err
		}
		keys = append(keys, page.Keys...)
		if page.Complete {
			break
		}
		opts.Cursor = page.Cursor
	}

	threads := make([]forum.Thread, len(keys))
	g, gctx := errgroup.WithContext(ctx)
	g.SetLimit(j.cfg.Concurrency)
	for i, key := range keys {
		g.Go(func() (err error) {
			threads[i], _, err = store.GetJSON[forum.Thread](gctx, j.forum, key) // EXPECT kvlist
			return err
		})
	}
	if err := g.Wait(); err != nil {
		return nil, err
	}
	return slices.DeleteFunc(threads, func(t forum.Thread) bool { return t.ID == "" }), nil
}

// Stats estimates the thread count for the admin dashboard without reading
// the whole namespace.
func (j *Job) Stats(ctx context.Context) (count int, exact bool, err error) {
	cursor := ""
	for range j.cfg.SamplePages {
		page, err := j.forum.List(ctx, store.ListOptions{Prefix: forum.ThreadPrefix, Cursor: cursor, Limit: 1000})
		if err != nil {
			return 0, false, err
		}
		count += len(page.Keys)
		if page.Complete {
			return count, true, nil
		}
		cursor = page.Cursor
	}
	return count, false, nil
}

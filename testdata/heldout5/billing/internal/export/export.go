// Package export dumps the billing namespace to object storage every night
// for the finance warehouse.
package export

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"time"

	"example.com/billing/internal/clock"
	"example.com/billing/internal/kvstore"
)

// ErrBusy means another instance is running the export.
var ErrBusy = errors.New("export: already running")

// Sink receives exported pairs.
type Sink interface {
	Write(ctx context.Context, key string, value []byte) error
	Close(ctx context.Context) (location string, err error)
}

// Locker is a cross-instance advisory lock.
type Locker interface {
	TryLock(ctx context.Context, name, owner string) (bool, error)
	Unlock(ctx context.Context, name string) error
}

// Run is one entry of the export manifest.
type Run struct {
	Date     string    `json:"date"`
	Location string    `json:"location"`
	Keys     int       `json:"keys"`
	Finished time.Time `json:"finished"`
}

// Job is the nightly export.
type Job struct {
	kv       kvstore.KV
	locker   Locker
	newSink  func(ctx context.Context, name string) (Sink, error)
	clock    clock.Clock
	owner    string
	prefixes []string
	pageSize int
	keep     int
	log      *slog.Logger
}

// Option configures a Job.
type Option func(*Job)

// WithPrefixes sets the key prefixes to export.
func WithPrefixes(p ...string) Option { return func(j *Job) { j.prefixes = p } }

// WithPageSize sets the list page size.
func WithPageSize(n int) Option { return func(j *Job) { j.pageSize = n } }

// WithLogger sets the logger.
func WithLogger(l *slog.Logger) Option { return func(j *Job) { j.log = l } }

// NewJob wires the job.
func NewJob(kv kvstore.KV, locker Locker, newSink func(context.Context, string) (Sink, error), clk clock.Clock, owner string, opts ...Option) *Job {
	j := &Job{kv: kv, locker: locker, newSink: newSink, clock: clk, owner: owner, prefixes: []string{""}, pageSize: 1000, keep: 30, log: slog.Default()}
	for _, o := range opts {
		o(j)
	}
	return j
}

const lockName = "nightly-export"

// Run exports every key under the configured prefixes.
func (j *Job) Run(ctx context.Context) (Run, error) {
	ok, err := j.locker.TryLock(ctx, lockName, j.owner)
	if err != nil {
		return Run{}, err
	}
	if !ok {
		return Run{}, ErrBusy
	}
	defer func() {
		if err := j.locker.Unlock(context.WithoutCancel(ctx), lockName); err != nil {
			j.log.Warn("export unlock", "err", err)
		}
	}()

	// Dashboards show the export as live while the heartbeat exists.
	if err := j.kv.Put(ctx, "export:heartbeat", []byte(j.owner), kvstore.ExpireAt(time.Now().Add(30*time.Second))); err != nil { // EXPECT kvttl
		j.log.Warn("export heartbeat", "err", err)
	}

	date := j.clock.Now().UTC().Format("2006-01-02")
	sink, err := j.newSink(ctx, "billing-kv/"+date+".jsonl")
	if err != nil {
		return Run{}, err
	}
	count := 0
	for _, prefix := range j.prefixes {
		cursor := ""
		for {
			page, err := j.kv.List(ctx, kvstore.ListQuery{Prefix: prefix, Cursor: cursor, Limit: j.pageSize}) // EXPECT kvlist
			if err != nil {
				return Run{}, fmt.Errorf("list %q: %w", prefix, err)
			}
			for _, k := range page.Keys {
				v, err := j.kv.Get(ctx, k.Name) // EXPECT kvlist
				if kvstore.IsNotFound(err) {
					continue
				}
				if err != nil {
					return Run{}, fmt.Errorf("get %q: %w", k.Name, err)
				}
				if err := sink.Write(ctx, k.Name, v); err != nil {
					return Run{}, err
				}
				count++
			}
			if page.Complete {
				break
			}
			cursor = page.Cursor
		}
	}
	loc, err := sink.Close(ctx)
	if err != nil {
		return Run{}, err
	}
	run := Run{Date: date, Location: loc, Keys: count, Finished: j.clock.Now().UTC()}
	return run, j.appendManifest(ctx, run)
}

const manifestKey = "export:manifest"

func (j *Job) appendManifest(ctx context.Context, run Run) error {
	var runs []Run
	if raw, err := j.kv.Get(ctx, manifestKey); err == nil {
		if err := json.Unmarshal(raw, &runs); err != nil {
			return fmt.Errorf("manifest: %w", err)
		}
	} else if !kvstore.IsNotFound(err) {
		return err
	}
	runs = append(runs, run)
	if len(runs) > j.keep {
		runs = runs[len(runs)-j.keep:]
	}
	buf, err := json.Marshal(runs)
	if err != nil {
		return err
	}
	return j.kv.Put(ctx, manifestKey, buf) // EXPECT kvrace
}

// Runs returns the manifest.
func (j *Job) Runs(ctx context.Context) ([]Run, error) {
	raw, err := j.kv.Get(ctx, manifestKey)
	if kvstore.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	var runs []Run
	return runs, json.Unmarshal(raw, &runs)
}

// Sample returns up to limit key names under prefix, for the admin UI's
// export preview.
func (j *Job) Sample(ctx context.Context, prefix string, limit int) ([]string, error) {
	const maxPages = 10
	var names []string
	cursor := ""
	for pages := 0; len(names) < limit && pages < maxPages; pages++ {
		page, err := j.kv.List(ctx, kvstore.ListQuery{Prefix: prefix, Cursor: cursor, Limit: min(limit-len(names), 1000)})
		if err != nil {
			return nil, err
		}
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	return names, nil
}

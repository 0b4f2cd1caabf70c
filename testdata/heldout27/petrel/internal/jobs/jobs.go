// Package jobs holds the scheduled maintenance tasks of the preview
// service. The cron runner invokes Scheduled once per tick.
package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"example.com/petrel/internal/storage"
)

// ScheduledEvent is what the cron runner passes to a scheduled handler.
type ScheduledEvent struct {
	Cron          string
	ScheduledTime time.Time
}

// DeployMeta is the metadata written with each deploy record.
type DeployMeta struct {
	Project    string `json:"p"`
	Superseded bool   `json:"s"`
	ExpiresAt  int64  `json:"e"`
}

// Sweeper removes stale preview state.
type Sweeper struct {
	st       storage.Store
	maxPages int
	// OnRemoved observes each deleted key; set at construction.
	OnRemoved func(ctx context.Context, key string)
}

func ProvideSweeper(st storage.Store, onRemoved func(context.Context, string)) *Sweeper {
	return &Sweeper{st: st, maxPages: 20, OnRemoved: onRemoved}
}

// Report summarises one run.
type Report struct {
	Tick                       time.Time
	Expired, Superseded, Hosts int
	Incomplete                 bool
}

// Scheduled is the cron entry point.
func (s *Sweeper) Scheduled(ctx context.Context, ev ScheduledEvent) error {
	ctx, cancel := context.WithTimeout(ctx, 4*time.Minute)
	defer cancel()

	rep := Report{Tick: ev.ScheduledTime}
	var err error
	if rep.Expired, rep.Incomplete, err = s.sweepPreviews(ctx, ev.ScheduledTime); err != nil {
		return err
	}
	if rep.Superseded, err = s.dropSuperseded(ctx); err != nil {
		return err
	}
	if rep.Hosts, err = s.compactHosts(ctx); err != nil {
		return err
	}
	// The report is written once per tick, even if the run was cancelled.
	b, _ := json.Marshal(rep)
	cleanup, stop := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
	defer stop()
	return s.st.Put(cleanup, "jobs/sweep/last-run", b, storage.PutOptions{})
}

// sweepPreviews deletes previews whose metadata says they expired. It
// reads at most maxPages pages per tick and resumes on the next one.
func (s *Sweeper) sweepPreviews(ctx context.Context, now time.Time) (removed int, more bool, err error) {
	q := storage.ListQuery{Prefix: "preview/meta/", Limit: 1000}
	for range s.maxPages {
		if err := ctx.Err(); err != nil {
			return removed, true, nil
		}
		page, err := s.st.List(ctx, q)
		if err != nil {
			return removed, true, err
		}
		for _, k := range page.Keys {
			if meta, ok := decodeMeta(k.Metadata); ok && meta.ExpiresAt > 0 && meta.ExpiresAt < now.Unix() {
				if err := s.remove(ctx, k.Name); err != nil {
					return removed, true, err
				}
				removed++
			}
		}
		if page.Complete {
			return removed, false, nil
		}
		q.Cursor = page.Cursor
	}
	return removed, true, nil
}

// dropSuperseded deletes deploy records replaced by a newer deploy.
func (s *Sweeper) dropSuperseded(ctx context.Context) (int, error) {
	q := storage.ListQuery{Prefix: "deploy/", Limit: 500}
	removed := 0
	for {
		page, err := s.st.List(ctx, q) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		if len(page.Keys) == 0 {
			break
		}
		for _, k := range page.Keys {
			if meta, ok := decodeMeta(k.Metadata); ok && meta.Superseded {
				if err := s.remove(ctx, k.Name); err != nil {
					return removed, err
				}
				removed++
			}
		}
		q.Cursor = page.Cursor
	}
	return removed, nil
}

// compactHosts rebuilds the list of claimed preview hosts.
func (s *Sweeper) compactHosts(ctx context.Context) (int, error) {
	const prefix = "preview/host/"
	var hosts []string
	page, err := s.st.List(ctx, storage.ListQuery{Prefix: prefix, Limit: 1000})
	for pages := 1; err == nil; pages++ {
		for _, k := range page.Keys {
			hosts = append(hosts, strings.TrimPrefix(k.Name, prefix))
		}
		if page.Complete || pages == s.maxPages {
			break
		}
		page, err = s.st.List(ctx, storage.ListQuery{Cursor: page.Cursor, Limit: 1000}) // EXPECT kvlist
	}
	if err != nil {
		return 0, err
	}
	b, _ := json.Marshal(hosts)
	if err := s.st.Put(ctx, "preview/hosts-index", b, storage.PutOptions{TTL: 2 * time.Hour}); err != nil {
		return 0, err
	}
	return len(hosts), nil
}

// Vacuum removes keys under prefix that carry no metadata, a leftover of
// an old writer. It runs until ctx ends or the listing is complete.
func (s *Sweeper) Vacuum(ctx context.Context, prefix string) (int, error) {
	q := storage.ListQuery{Prefix: prefix, Limit: 1000}
	removed := 0
	for ctx.Err() == nil {
		page, err := s.st.List(ctx, q) // DEBATABLE kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range page.Keys {
			if k.Metadata == nil {
				if err := s.remove(ctx, k.Name); err != nil {
					return removed, err
				}
				removed++
			}
		}
		if page.Complete {
			return removed, nil
		}
		q.Cursor = page.Cursor
	}
	return removed, fmt.Errorf("jobs: vacuum %s: %w", prefix, ctx.Err())
}

func (s *Sweeper) remove(ctx context.Context, key string) error {
	if err := s.st.Delete(ctx, key); err != nil {
		return err
	}
	if s.OnRemoved != nil {
		s.OnRemoved(ctx, key)
	}
	return nil
}

func decodeMeta(v any) (DeployMeta, bool) {
	if v == nil {
		return DeployMeta{}, false
	}
	b, err := json.Marshal(v)
	if err != nil {
		return DeployMeta{}, false
	}
	var m DeployMeta
	return m, json.Unmarshal(b, &m) == nil
}

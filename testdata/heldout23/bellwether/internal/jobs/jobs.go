// Package jobs runs the service's periodic background work.
package jobs

import (
	"context"
	"encoding/json"
	"log"
	"sort"
	"strings"
	"sync"
	"time"

	"example.com/bellwether/internal/kvstore"
	"example.com/bellwether/internal/polls"
	"example.com/bellwether/internal/results"
)

// Job is one periodic task.
type Job interface {
	Name() string
	Every() time.Duration
	Run(ctx context.Context) error
}

// Scheduler runs each job on its own ticker.
type Scheduler struct {
	jobs []Job
	wg   sync.WaitGroup
}

// Add registers jobs. Call before Start.
func (s *Scheduler) Add(js ...Job) { s.jobs = append(s.jobs, js...) }

// Start launches every job; Wait returns once ctx ends and they stop.
func (s *Scheduler) Start(ctx context.Context) {
	for _, j := range s.jobs {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			t := time.NewTicker(j.Every())
			defer t.Stop()
			for {
				select {
				case <-ctx.Done():
					return
				case <-t.C:
					if err := j.Run(ctx); err != nil {
						log.Printf("jobs: %s: %v", j.Name(), err)
					}
				}
			}
		}()
	}
}

// Wait blocks until every job has stopped.
func (s *Scheduler) Wait() { s.wg.Wait() }

// Heartbeat stamps a key once per run so dashboards can see jobs are alive.
type Heartbeat struct {
	W kvstore.Writer
}

func (Heartbeat) Name() string         { return "heartbeat" }
func (Heartbeat) Every() time.Duration { return time.Minute }
func (h Heartbeat) Run(ctx context.Context) error {
	return h.W.Entry("jobs:heartbeat").String(time.Now().UTC().Format(time.RFC3339)).TTL(10 * time.Minute).Put(ctx)
}

// Refresher republishes public results for open polls and rebuilds the
// front-page leaderboard.
type Refresher struct {
	Store   kvstore.Store
	Polls   *polls.Repo
	Results *results.Cache
}

func (Refresher) Name() string         { return "results-refresher" }
func (Refresher) Every() time.Duration { return time.Minute }

type leaderRow struct {
	Slug  string `json:"slug"`
	Total int    `json:"total"`
}

func (r Refresher) Run(ctx context.Context) error {
	all, err := r.Polls.Scan(ctx)
	if err != nil {
		return err
	}
	now := time.Now()
	var board []leaderRow
	put := r.Store.Put
	for _, p := range all {
		if !p.Open(now) {
			continue
		}
		snap, err := r.Results.Publish(ctx, p)
		if err != nil {
			log.Printf("jobs: publish %s: %v", p.ID, err)
			continue
		}
		board = append(board, leaderRow{Slug: p.Slug, Total: snap.Total})
		sort.Slice(board, func(i, j int) bool { return board[i].Total > board[j].Total })
		body, _ := json.Marshal(board[:min(len(board), 10)])
		if err := put(ctx, "leaderboard:front-page", body); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// ProgressReaper removes the progress markers finished exports leave behind.
type ProgressReaper struct {
	Store kvstore.Store
}

func (ProgressReaper) Name() string         { return "export-progress-reaper" }
func (ProgressReaper) Every() time.Duration { return time.Hour }

func (r ProgressReaper) Run(ctx context.Context) error {
	pager, ok := r.Store.(kvstore.Pager)
	if !ok {
		return kvstore.ErrUnsupported
	}
	cursor := ""
	for {
		page, err := pager.Page(ctx, "export-progress:", cursor, kvstore.MaxListPage) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			id := strings.TrimPrefix(k.Name, "export-progress:")
			if err := r.Store.Delete(ctx, k.Name); err != nil {
				log.Printf("jobs: reap %s: %v", id, err)
			}
		}
		if page.Complete {
			return nil
		}
		cursor = page.Cursor
	}
}

// SessionAudit counts live sessions by hour of expiry for capacity
// dashboards. It reads only the listing, never the sessions themselves.
type SessionAudit struct {
	Store      kvstore.Store
	PageBudget int
}

func (SessionAudit) Name() string         { return "session-audit" }
func (SessionAudit) Every() time.Duration { return 15 * time.Minute }

func (a SessionAudit) Run(ctx context.Context) error {
	pager, ok := a.Store.(kvstore.Pager)
	if !ok {
		return nil
	}
	byHour := map[int]int{}
	cursor := ""
	for range a.PageBudget {
		page, err := pager.Page(ctx, "sess:", cursor, kvstore.MaxListPage)
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if !k.Expiration.IsZero() {
				byHour[int(time.Until(k.Expiration).Hours())]++
			}
		}
		if page.Complete {
			break
		}
		cursor = page.Cursor
	}
	log.Printf("jobs: sessions expiring by hour: %v", byHour)
	return nil
}

// Package jobs holds the registration system's background jobs. Jobs are
// constructed on demand from the service locator by the cron runner and by
// termctl.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"maps"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/kokako-uni/kokako/internal/kvstore"
	"github.com/kokako-uni/kokako/internal/locator"
	"github.com/kokako-uni/kokako/internal/seats"
	"github.com/kokako-uni/kokako/internal/session"
	"github.com/kokako-uni/kokako/internal/waitlist"
)

// Job is one unit of background work.
type Job interface {
	Name() string
	Run(ctx context.Context) error
}

// JobsKV is the namespace jobs use for their own bookkeeping.
type JobsKV struct{ *kvstore.Namespace }

// StatsKV is the namespace holding published statistics.
type StatsKV struct{ *kvstore.Namespace }

// Sweepers are the stores collected from the dig group "sweepers".
type Sweepers []session.Sweeper

// Promoter offers freed seats to the head of each waitlist.
type Promoter struct {
	waitlists *waitlist.Service
	seats     *seats.SeatStore
	kv        JobsKV
	log       *slog.Logger
}

// NewPromoter resolves its collaborators from the locator.
func NewPromoter(l *locator.Locator) *Promoter {
	return &Promoter{
		waitlists: locator.Resolve[*waitlist.Service](l),
		seats:     locator.Resolve[*seats.SeatStore](l),
		kv:        locator.Resolve[JobsKV](l),
		log:       locator.Resolve[*slog.Logger](l),
	}
}

func (p *Promoter) Name() string { return "promoter" }

// Run walks the waitlisted sections and makes offers where seats opened.
func (p *Promoter) Run(ctx context.Context) error {
	sections, err := p.waitlists.Sections(ctx)
	if err != nil {
		return err
	}
	offered := 0
	for _, sec := range sections {
		avail, err := p.seats.Availability(ctx, sec)
		if err != nil {
			p.log.Warn("availability", "section", sec, "err", err)
			continue
		}
		if avail.Open > 0 {
			head, ok, err := p.waitlists.Head(ctx, sec)
			if err != nil {
				return err
			}
			if ok {
				if err := p.waitlists.Offer(ctx, sec, head); err != nil {
					return err
				}
				offered++
			}
		}
		beat, _ := json.Marshal(map[string]any{"section": sec, "offered": offered, "at": time.Now().UTC()})
		if err := p.kv.Put(ctx, "jobs:promoter:heartbeat", beat, 0); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// SessionSweep runs every sweeper with a fixed key budget.
type SessionSweep struct {
	sweepers Sweepers
	kv       JobsKV
	budget   int
}

// NewSessionSweep resolves the sweeper group from the locator.
func NewSessionSweep(l *locator.Locator) *SessionSweep {
	return &SessionSweep{
		sweepers: locator.Resolve[Sweepers](l),
		kv:       locator.Resolve[JobsKV](l),
		budget:   5000,
	}
}

func (s *SessionSweep) Name() string { return "session-sweep" }

// Run sweeps and records the outcome once.
func (s *SessionSweep) Run(ctx context.Context) error {
	total := 0
	var errs []error
	for _, sw := range s.sweepers {
		n, err := sw.Sweep(ctx, s.budget)
		total += n
		errs = append(errs, err)
	}
	out, _ := json.Marshal(map[string]any{"removed": total, "at": time.Now().UTC()})
	errs = append(errs, s.kv.Put(ctx, "jobs:last-run:session-sweep", out, 7*24*time.Hour))
	return errors.Join(errs...)
}

// ViewCounter accumulates section page views in memory; the flusher job
// publishes them.
type ViewCounter struct {
	mu      sync.Mutex
	pending map[string]int
	totals  map[string]int
}

// NewViewCounter returns an empty counter.
func NewViewCounter() *ViewCounter {
	return &ViewCounter{pending: map[string]int{}, totals: map[string]int{}}
}

// Hit records one view of a section page.
func (v *ViewCounter) Hit(section string) {
	v.mu.Lock()
	v.pending[section]++
	v.mu.Unlock()
}

func (v *ViewCounter) drain() map[string]int {
	v.mu.Lock()
	defer v.mu.Unlock()
	out := make(map[string]int, len(v.pending))
	for sec, n := range v.pending {
		v.totals[sec] += n
		out[sec] = v.totals[sec]
	}
	clear(v.pending)
	return out
}

// ViewFlush publishes accumulated views for the department dashboards.
type ViewFlush struct {
	counter *ViewCounter
	kv      StatsKV
}

// NewViewFlush resolves the counter and the stats namespace.
func NewViewFlush(l *locator.Locator) *ViewFlush {
	return &ViewFlush{counter: locator.Resolve[*ViewCounter](l), kv: locator.Resolve[StatsKV](l)}
}

func (f *ViewFlush) Name() string { return "view-flush" }

// Run writes each section's running total.
func (f *ViewFlush) Run(ctx context.Context) error {
	totals := f.counter.drain()
	for _, sec := range slices.Sorted(maps.Keys(totals)) {
		if err := f.kv.Put(ctx, "section-views:"+sec, []byte(strconv.Itoa(totals[sec])), 0); err != nil { // EXPECT kvcounter
			return err
		}
	}
	return nil
}

// DeptQuotas is the per-department cap on seats reserved for majors.
type DeptQuotas map[string]int

// QuotaPublish copies the configured department quotas to KV for the edge.
type QuotaPublish struct {
	quotas DeptQuotas
	kv     StatsKV
}

// NewQuotaPublish resolves the quotas from the locator.
func NewQuotaPublish(l *locator.Locator) *QuotaPublish {
	return &QuotaPublish{quotas: locator.Resolve[DeptQuotas](l), kv: locator.Resolve[StatsKV](l)}
}

func (q *QuotaPublish) Name() string { return "quota-publish" }

// Run writes one key per department.
func (q *QuotaPublish) Run(ctx context.Context) error {
	for dept, n := range q.quotas {
		if err := q.kv.Put(ctx, "dept-quota:"+dept, []byte(strconv.Itoa(n)), 0); err != nil { // DEBATABLE kvcounter
			return fmt.Errorf("quota %s: %w", dept, err)
		}
	}
	return nil
}

// Runner runs jobs on their schedules until the context ends.
type Runner struct {
	loc  *locator.Locator
	jobs map[string]func(*locator.Locator) Job
	log  *slog.Logger
}

// NewRunner returns a runner with the standard jobs.
func NewRunner(l *locator.Locator) *Runner {
	return &Runner{
		loc: l,
		log: locator.Resolve[*slog.Logger](l),
		jobs: map[string]func(*locator.Locator) Job{
			"promoter":      func(l *locator.Locator) Job { return NewPromoter(l) },
			"session-sweep": func(l *locator.Locator) Job { return NewSessionSweep(l) },
			"view-flush":    func(l *locator.Locator) Job { return NewViewFlush(l) },
			"quota-publish": func(l *locator.Locator) Job { return NewQuotaPublish(l) },
		},
	}
}

// RunOnce constructs and runs the named job.
func (r *Runner) RunOnce(ctx context.Context, name string) error {
	mk, ok := r.jobs[name]
	if !ok {
		return fmt.Errorf("jobs: unknown job %q", name)
	}
	return mk(r.loc).Run(ctx)
}

// Every runs the named job on a fixed period.
func (r *Runner) Every(ctx context.Context, name string, period time.Duration) {
	t := time.NewTicker(period)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			if err := r.RunOnce(ctx, name); err != nil {
				r.log.Error("job failed", "job", name, "err", err)
			}
		}
	}
}

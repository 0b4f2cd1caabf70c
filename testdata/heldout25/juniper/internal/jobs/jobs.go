package jobs

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"example.com/juniper/internal/config"
	"example.com/juniper/internal/keys"
	"example.com/juniper/internal/store"
)

// Runner owns the periodic jobs of one backend replica.
type Runner interface {
	Run(ctx context.Context)
	SweepOnce(ctx context.Context) error
	ExportOnce(ctx context.Context, day time.Time) error
}

type runner struct {
	raw   store.Raw
	cfg   config.JobsConfig
	owner string
	logf  func(string, ...any)
}

var _ Runner = (*runner)(nil)

// Option configures a Runner.
type Option func(*runner)

// WithLogf sets the logger.
func WithLogf(f func(string, ...any)) Option { return func(r *runner) { r.logf = f } }

// NewRunner returns a Runner identified as owner when taking leases.
func NewRunner(raw store.Raw, cfg config.JobsConfig, owner string, opts ...Option) Runner {
	r := &runner{raw: raw, cfg: cfg, owner: owner, logf: log.Printf}
	for _, o := range opts {
		o(r)
	}
	return r
}

// Run sweeps every interval and exports once a day until ctx ends.
func (r *runner) Run(ctx context.Context) {
	sweep := time.NewTicker(max(r.cfg.Sweep.Interval, time.Minute))
	defer sweep.Stop()
	export := time.NewTicker(max(r.cfg.Export, time.Hour))
	defer export.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-sweep.C:
			if err := r.SweepOnce(ctx); err != nil {
				r.logf("jobs: sweep: %v", err)
			}
		case now := <-export.C:
			if now.Hour() != 3 {
				continue
			}
			if err := r.ExportOnce(ctx, now.AddDate(0, 0, -1)); err != nil {
				r.logf("jobs: export: %v", err)
			}
		}
	}
}

type summary struct {
	EventID string    `json:"event_id"`
	Holds   int       `json:"holds"`
	At      time.Time `json:"at"`
}

// SweepOnce counts live holds per event from the key listing and publishes
// one summary per event for the organizer dashboard.
func (r *runner) SweepOnce(ctx context.Context) error {
	ok, err := acquire(ctx, r.raw, "sweep", r.owner, r.cfg.Lease)
	if err != nil || !ok {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()

	counts := map[string]int{}
	cursor := ""
	for page := 0; page < r.cfg.Sweep.MaxPages; page++ {
		res, err := r.raw.List(ctx, store.ListQuery{Prefix: "hold:", Cursor: cursor, Limit: r.cfg.Sweep.PageSize})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			parts := strings.Split(k.Name, ":")
			if len(parts) != 3 || strings.HasSuffix(k.Name, ":grace") {
				continue
			}
			counts[parts[1]]++
		}
		if res.Complete {
			break
		}
		cursor = res.Cursor
	}
	var b store.Batch
	now := time.Now()
	for ev, n := range counts {
		v, _ := json.Marshal(summary{EventID: ev, Holds: n, At: now})
		b = append(b, store.Entry{Key: "summary:holds:" + ev, Value: v, TTL: 10 * time.Minute})
	}
	if err := b.Flush(ctx, r.raw); err != nil {
		return err
	}
	return r.raw.Put(ctx, "jobs:sweep:last-run", []byte(now.UTC().Format(time.RFC3339)))
}

// ExportOnce copies the day's orders into export chunks for the finance
// warehouse, which pulls them over the REST API.
func (r *runner) ExportOnce(ctx context.Context, day time.Time) error {
	ok, err := acquire(ctx, r.raw, "export", r.owner, r.cfg.Lease)
	if err != nil || !ok {
		return err
	}
	var (
		chunk  []string
		part   int
		cursor string
	)
	flush := func() error {
		if len(chunk) == 0 {
			return nil
		}
		v, _ := json.Marshal(chunk)
		if err := r.raw.Put(ctx, keys.Export(day, part), v, store.WithTTL(7*24*time.Hour)); err != nil {
			return err
		}
		part++
		chunk = chunk[:0]
		return nil
	}
	for {
		res, err := r.raw.List(ctx, store.ListQuery{Prefix: "order:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			chunk = append(chunk, strings.TrimPrefix(k.Name, "order:"))
			if len(chunk) == 500 {
				if err := flush(); err != nil {
					return err
				}
			}
			progress := fmt.Sprintf("%s:%d", day.Format("2006-01-02"), part)
			if err := r.raw.Put(ctx, "jobs:export:progress", []byte(progress)); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if res.Complete {
			break
		}
		cursor = res.Cursor
	}
	return flush()
}

//go:build js && wasm

// Package jobs holds the Worker's scheduled tasks: tenant snapshots for SDK
// bootstrap, closing finished experiments and sweeping stale keys.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/exptrack/redstart/internal/keys"
	"github.com/exptrack/redstart/internal/kvedge"
	"github.com/exptrack/redstart/internal/model"
	"github.com/exptrack/redstart/internal/uow"
)

const (
	snapshotTTL   = 15 * time.Minute
	closedFor     = 7 * 24 * time.Hour
	sweepMaxPages = 20
)

// Task is one scheduled task.
type Task struct {
	Name string
	Run  func(ctx context.Context, now time.Time) error
}

// All returns the tasks in the order the cron trigger runs them.
func All() []Task {
	return []Task{
		{"snapshots", buildSnapshots},
		{"close-finished", closeFinished},
		{"prune-assignments", pruneAssignments},
		{"sweep-previews", sweepPreviews},
	}
}

// RunAll runs every task and joins their errors; one failing task does not
// stop the others.
func RunAll(ctx context.Context, now time.Time) error {
	var errs []error
	for _, t := range All() {
		if err := t.Run(ctx, now); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", t.Name, err))
		}
	}
	return errors.Join(errs...)
}

func activeTenants(ctx context.Context, cfg *kvedge.Store) ([]string, error) {
	raw, ok, err := cfg.GetCached(ctx, keys.Tenants, 5*time.Minute)
	if err != nil || !ok {
		return nil, err
	}
	var ids []string
	return ids, json.Unmarshal([]byte(raw), &ids)
}

// buildSnapshots writes, per tenant, the running experiments that SDKs load
// at start-up.
func buildSnapshots(ctx context.Context, now time.Time) error {
	cfg := kvedge.MustOpen("CONFIG")
	cache := kvedge.MustOpen("CACHE")
	tenants, err := activeTenants(ctx, cfg)
	if err != nil {
		return err
	}
	u := uow.New()
	built := 0
	for _, tenant := range tenants {
		raw, ok, err := cfg.Get(ctx, keys.ExperimentIndex(tenant))
		if err != nil {
			return err
		}
		if !ok {
			continue
		}
		var ids []string
		if err := json.Unmarshal([]byte(raw), &ids); err != nil {
			return fmt.Errorf("index of %s: %w", tenant, err)
		}
		var running []model.Experiment
		for _, id := range ids {
			v, ok, err := cfg.Get(ctx, keys.Experiment(tenant, id))
			if err != nil {
				return err
			}
			if !ok {
				continue
			}
			var e model.Experiment
			if err := json.Unmarshal([]byte(v), &e); err != nil {
				return fmt.Errorf("experiment %s/%s: %w", tenant, id, err)
			}
			if e.Running(now) {
				running = append(running, e)
			}
		}
		body, _ := json.Marshal(running)
		u.Put("snapshot:"+tenant, string(body), snapshotTTL)
		u.Put("snapshot:generated-at", now.UTC().Format(time.RFC3339), 0) // EXPECT kvhotkey
		built++
	}
	u.Put("snapshot:summary", fmt.Sprintf(`{"tenants":%d,"at":%q}`, built, now.UTC().Format(time.RFC3339)), 0)
	return cache.Commit(ctx, u)
}

// closeFinished marks experiments whose end date has passed, so that the
// assignment path can skip them without fetching the definition.
func closeFinished(ctx context.Context, now time.Time) error {
	cfg := kvedge.MustOpen("CONFIG")
	cache := kvedge.MustOpen("CACHE")
	u := uow.New()
	err := cfg.Each(ctx, "exp:", func(key string, _ kvedge.Meta) error { // EXPECT kvlist
		raw, ok, err := cfg.Get(ctx, key) // EXPECT kvlist
		if err != nil || !ok {
			return err
		}
		var e model.Experiment
		if err := json.Unmarshal([]byte(raw), &e); err != nil {
			return nil
		}
		if e.Status == "running" && !e.EndsAt.IsZero() && now.After(e.EndsAt) {
			u.Put("killed:"+e.Tenant+":"+e.ID, "ended", closedFor)
		}
		return nil
	})
	if err != nil {
		return err
	}
	return cache.Commit(ctx, u)
}

// pruneAssignments drops sticky assignments of experiments that no longer
// exist.
func pruneAssignments(ctx context.Context, _ time.Time) error {
	cfg := kvedge.MustOpen("CONFIG")
	asg := kvedge.MustOpen("ASSIGN")
	ns := asg.Binding()
	known := map[string]bool{}
	opts := &kv.ListOptions{Prefix: "asg:", Limit: 1000}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			parts := strings.SplitN(k.Name, ":", 4)
			if len(parts) != 4 {
				continue
			}
			expKey := keys.Experiment(parts[1], parts[2])
			live, seen := known[expKey]
			if !seen {
				_, ok, err := cfg.Get(ctx, expKey) // DEBATABLE kvlist
				if err != nil {
					return err
				}
				known[expKey], live = ok, ok
			}
			if !live {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		opts.Cursor = res.Cursor
	}
	return nil
}

// sweepPreviews removes preview links of experiments that were closed.
func sweepPreviews(ctx context.Context, _ time.Time) error {
	cache := kvedge.MustOpen("CACHE")
	ns := cache.Binding()
	res, err := ns.List(&kv.ListOptions{Prefix: "preview:", Limit: 1000})
	if err != nil {
		return err
	}
	byExperiment := map[string][]string{}
	for pages := 1; ; pages++ {
		for _, k := range res.Keys {
			parts := strings.SplitN(k.Name, ":", 4)
			if len(parts) == 4 {
				exp := parts[1] + ":" + parts[2]
				byExperiment[exp] = append(byExperiment[exp], k.Name)
			}
		}
		if res.ListComplete || pages >= sweepMaxPages {
			break
		}
		res, err = ns.List(&kv.ListOptions{Cursor: res.Cursor, Limit: 1000}) // EXPECT kvlist
		if err != nil {
			return err
		}
	}
	u := uow.New()
	for exp, names := range byExperiment {
		_, closed, err := cache.Get(ctx, "killed:"+exp)
		if err != nil {
			return err
		}
		if closed {
			for _, n := range names {
				u.Delete(n)
			}
		}
	}
	return cache.Commit(ctx, u)
}

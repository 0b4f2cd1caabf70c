//go:build js && wasm

// Package sweep runs the scheduled jobs of the edge Worker: finding
// scooters that stopped reporting, clearing stale holds and the nightly
// fleet export.
package sweep

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"github.com/crake-mobility/crake/internal/dbgen"
	"github.com/crake-mobility/crake/internal/kvstore"
)

const (
	silentAfter      = 20 * time.Minute
	sweepLease       = 50 * time.Second
	sweepProgressKey = "sweep:progress"
	maxHoldPages     = 20
	maxStalePages    = 10
)

// Job is the stale-scooter sweep.
type Job struct {
	Store   *kvstore.Store
	Queries *dbgen.Queries
}

type progress struct {
	Checked int       `json:"checked"`
	Silent  int       `json:"silent"`
	LastID  string    `json:"lastId"`
	At      time.Time `json:"at"`
}

// acquire takes the sweep lease so that overlapping cron invocations do
// not sweep twice.
func (j *Job) acquire(ctx context.Context, runID string) (bool, error) {
	_, held, err := j.Store.Get(ctx, "sweep:lease")
	if err != nil || held {
		return false, err
	}
	opts := &kv.PutOptions{
		Expiration: int(time.Now().Add(sweepLease).Unix()), // EXPECT kvttl
	}
	if err := j.Store.Namespace().PutString("sweep:lease", runID, opts); err != nil { // EXPECT kvrace
		return false, err
	}
	return true, nil
}

// Run walks every scooter that reported in the last day and flags the
// ones that have been silent for longer than silentAfter.
func (j *Job) Run(ctx context.Context, scheduled time.Time) error {
	runID := scheduled.UTC().Format(time.RFC3339)
	ok, err := j.acquire(ctx, runID)
	if err != nil || !ok {
		return err
	}
	ns := j.Store.Namespace()
	p := progress{}
	cursor := ""
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: "seen:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return fmt.Errorf("sweep: list: %w", err)
		}
		for _, k := range res.Keys {
			last, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return err
			}
			p.Checked++
			seen, err := time.Parse(time.RFC3339, last)
			if err != nil || scheduled.Sub(seen) < silentAfter {
				continue
			}
			id := strings.TrimPrefix(k.Name, "seen:")
			p.Silent++
			p.LastID = id
			p.At = time.Now().UTC()
			if err := j.Store.PutString(ctx, "silent:"+id, last, 24*time.Hour); err != nil {
				return err
			}
			if err := kvstore.Put(ctx, sweepProgressKey, p, 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return kvstore.Put(ctx, "sweep:last-run", p, 0)
}

// ClearHolds removes reservation holds whose scooter has since started a
// ride.
func (j *Job) ClearHolds(ctx context.Context) (int, error) {
	cleared := 0
	cursor := ""
	for page := 0; page < maxHoldPages; page++ {
		res, err := j.Store.List(ctx, &kv.ListOptions{Prefix: "hold:", Cursor: cursor, Limit: 500}) // EXPECT kvlist
		if err != nil {
			return cleared, err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			id := strings.TrimPrefix(k.Name, "hold:")
			if _, locked, err := j.Store.Get(ctx, "lock:scooter:"+id); err == nil && locked { // DEBATABLE kvlist
				if err := j.Store.Delete(ctx, k.Name); err != nil {
					return cleared, err
				}
				cleared++
			}
		}
		cursor = res.Cursor
	}
	return cleared, nil
}

// SilentScooters returns the IDs flagged by the last sweeps, reading at
// most maxStalePages pages. The expiration of each silent marker comes
// with the listing, so no value reads are needed.
func (j *Job) SilentScooters(ctx context.Context) (ids []string, truncated bool, err error) {
	opts := &kv.ListOptions{Prefix: "silent:", Limit: 1000}
	for page := 0; page < maxStalePages; page++ {
		res, err := j.Store.List(ctx, opts)
		if err != nil {
			return nil, false, err
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, "silent:"))
		}
		if res.ListComplete {
			return ids, false, nil
		}
		opts.Cursor = res.Cursor
	}
	return ids, true, nil
}

// SeenPage returns one page of recently seen scooters for the ops map.
func (j *Job) SeenPage(ctx context.Context, cursor string) (dbgen.KeyPage, error) {
	return j.Queries.ListSeenScooters(ctx, cursor)
}

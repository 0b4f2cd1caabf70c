//go:build js && wasm

// Package jobs holds the worker's scheduled tasks.
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"example.com/shrike/edge/kvx"
	"example.com/shrike/internal/ports"
)

// Task is one scheduled job.
type Task func(ctx context.Context, at time.Time) error

// Runner maps cron expressions (as configured in wrangler.toml) to tasks.
type Runner map[string][]Task

// Run runs every task registered for cron and joins their errors.
func (r Runner) Run(ctx context.Context, cron string, at time.Time) error {
	var errs []error
	for _, t := range r[cron] {
		errs = append(errs, t(ctx, at))
	}
	return errors.Join(errs...)
}

type Jobs struct {
	stations *kvx.Namespace
	riders   *kvx.Namespace
	docs     ports.DocStore
	// snapshot writes the edge occupancy snapshot.
	snapshot func(ctx context.Context, key string, v []byte) error
}

func New(stations, riders *kvx.Namespace, docs ports.DocStore) *Jobs {
	return &Jobs{
		stations: stations, riders: riders, docs: docs,
		snapshot: kvx.Writer(stations)(2 * time.Hour),
	}
}

type jobSettings struct {
	SkipIndex   bool `json:"skip_index"`
	ReportPages int  `json:"report_pages"`
}

func (j *Jobs) settings() (jobSettings, error) {
	s := jobSettings{ReportPages: 10}
	raw, err := j.stations.Text("config:jobs") // EXPECT kvnull
	if err != nil {
		return s, err
	}
	if err := json.Unmarshal([]byte(raw), &s); err != nil {
		return s, fmt.Errorf("config:jobs: %w", err)
	}
	return s, nil
}

// RebuildIndex writes the list of all station ids to one key for the app.
func (j *Jobs) RebuildIndex(ctx context.Context, _ time.Time) error {
	set, err := j.settings()
	if err != nil {
		return err
	}
	if set.SkipIndex {
		return nil
	}
	kv := j.stations.Binding()
	var ids []string
	cursor := ""
	for {
		res, err := kv.List(&cloudflare.KVNamespaceListOptions{Prefix: "station:", Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, "station:"))
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	b, _ := json.Marshal(ids)
	return j.stations.Put("index:stations", string(b), 0)
}

// IndexPromos publishes the codes of all configured promos.
func (j *Jobs) IndexPromos(ctx context.Context, _ time.Time) error {
	res, err := j.riders.Binding().List(&cloudflare.KVNamespaceListOptions{Prefix: "promo:"}) // EXPECT kvlist
	if err != nil {
		return err
	}
	var codes []string
	for _, k := range res.Keys {
		if name := strings.TrimPrefix(k.Name, "promo:"); !strings.Contains(name, ":") {
			codes = append(codes, name)
		}
	}
	slices.Sort(codes)
	b, _ := json.Marshal(codes)
	return j.riders.Put("promos:index", string(b), 0)
}

// SnapshotOnline records which stations reported recently. The snapshot is
// saved as it grows so a cut-short invocation still leaves something useful.
func (j *Jobs) SnapshotOnline(ctx context.Context, at time.Time) error {
	res, err := j.stations.List("seen:station:", "", 5000) // EXPECT kvlimits
	if err != nil {
		return err
	}
	snap := struct {
		At     int64    `json:"at"`
		Online []string `json:"online"`
		Done   bool     `json:"done"`
	}{At: at.Unix()}
	for _, k := range res.Keys {
		snap.Online = append(snap.Online, strings.TrimPrefix(k.Name, "seen:station:"))
		b, _ := json.Marshal(snap)
		if err := j.snapshot(ctx, "occupancy:edge-snapshot", b); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	snap.Done = res.ListComplete
	b, _ := json.Marshal(snap)
	return j.snapshot(ctx, "occupancy:edge-snapshot:final", b)
}

// DropWatchers removes long-poll watcher keys of a retired station.
func (j *Jobs) DropWatchers(ctx context.Context, station string) error {
	cursor := ""
	for {
		res, err := j.stations.List("watch:"+station+":", cursor, 500) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			return nil
		}
		for _, k := range res.Keys {
			if err := j.stations.Delete(k.Name); err != nil {
				return err
			}
		}
		cursor = res.Cursor
	}
}

// SweepReceipts deletes activation receipts whose pass has been refunded.
func (j *Jobs) SweepReceipts(ctx context.Context, _ time.Time) error {
	refunded, err := j.refunded()
	if err != nil {
		return err
	}
	q := ports.Query{Prefix: "receipt:", Limit: 200}
	for range 20 {
		page, err := j.docs.Find(ctx, q) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, key := range page.Keys {
			if refunded[strings.TrimPrefix(key, "receipt:")] {
				_ = j.riders.Delete(key)
			}
		}
		if page.Complete {
			return nil
		}
		q = ports.Query{After: page.Next, Limit: 200}
	}
	return nil
}

func (j *Jobs) refunded() (map[string]bool, error) {
	kv := j.riders.Binding()
	raw, err := kv.GetString("refunds:recent", &cloudflare.KVNamespaceGetOptions{CacheTTL: 10}) // EXPECT kvttl
	if err != nil {
		return nil, err
	}
	out := map[string]bool{}
	if raw == kvx.Null {
		return out, nil
	}
	var ids []string
	if err := json.Unmarshal([]byte(raw), &ids); err != nil {
		return nil, err
	}
	for _, id := range ids {
		out[id] = true
	}
	return out, nil
}

// ReportRedemptions counts promo redemptions per code, reading at most
// ReportPages pages.
func (j *Jobs) ReportRedemptions(ctx context.Context, at time.Time) error {
	set, err := j.settings()
	if err != nil {
		return err
	}
	counts := map[string]int{}
	q := ports.Query{Prefix: "redeemed:", Limit: 2500} // EXPECT kvlimits
	complete := false
	for range set.ReportPages {
		page, err := j.docs.Find(ctx, q)
		if err != nil {
			return err
		}
		for _, key := range page.Keys {
			parts := strings.Split(key, ":")
			counts[parts[len(parts)-1]]++
		}
		if page.Complete {
			complete = true
			break
		}
		q.After = page.Next
	}
	report := map[string]any{"at": at.Unix(), "counts": counts, "complete": complete}
	b, _ := json.Marshal(report)
	return j.docs.Write(ctx, "report:redemptions:"+at.UTC().Format("20060102"), b, 90*24*time.Hour)
}

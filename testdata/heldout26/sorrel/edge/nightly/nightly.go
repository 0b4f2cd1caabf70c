//go:build js && wasm

// Package nightly holds the worker's scheduled housekeeping: sweeping old
// drop-off holds, the tracking digest and depot board refreshes.
package nightly

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/sorrel/internal/keyspace"
)

const jsNull = "<null>"

// digestPages bounds how much of the link space one digest run reads.
const digestPages = 5

// Publisher refreshes a depot's occupancy board.
type Publisher interface {
	Publish(ctx context.Context, depotID string) error
}

// Sweeper runs the scheduled tasks.
type Sweeper struct {
	ns     *kv.Namespace
	ks     keyspace.Space
	boards Publisher
	depots []string
}

// NewSweeper returns a sweeper over ns.
func NewSweeper(ns *kv.Namespace, ks keyspace.Space, boards Publisher, depots []string) *Sweeper {
	return &Sweeper{ns: ns, ks: ks, boards: boards, depots: depots}
}

// PurgeStaleHolds deletes drop-off holds whose hour has passed.
func (s *Sweeper) PurgeStaleHolds(ctx context.Context, now time.Time) (int, error) {
	cutoff := now.Add(-2 * time.Hour).UTC().Format("2006010215")
	removed := 0
	cursor := ""
	for {
		res, err := s.ns.List(&kv.ListOptions{Prefix: s.ks.HoldPrefix(), Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return removed, err
		}
		for _, k := range res.Keys {
			hour := k.Name[strings.LastIndexByte(k.Name, ':')+1:]
			if hour < cutoff {
				if err := s.ns.Delete(k.Name); err != nil {
					return removed, err
				}
				removed++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return removed, nil
}

// LinkDigest summarises the live tracking links by tier.
type LinkDigest struct {
	Links   int            `json:"links"`
	ByTier  map[string]int `json:"by_tier"`
	Partial bool           `json:"partial"`
}

// Digest reads recent tracking links, a bounded number of pages per run.
func (s *Sweeper) Digest(ctx context.Context) (LinkDigest, error) {
	d := LinkDigest{ByTier: map[string]int{}}
	cursor := ""
	for page := range digestPages {
		res, err := s.ns.List(&kv.ListOptions{Prefix: s.ks.Track(""), Cursor: cursor, Limit: 200})
		if err != nil {
			return d, err
		}
		for _, k := range res.Keys {
			raw, err := s.ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil {
				return d, err
			}
			if raw == jsNull {
				continue
			}
			var link struct {
				Tier int `json:"tier"`
			}
			if json.Unmarshal([]byte(raw), &link) != nil {
				continue
			}
			d.Links++
			d.ByTier[fmt.Sprint(link.Tier)]++
		}
		if res.ListComplete {
			break
		}
		if page == digestPages-1 {
			d.Partial = true
		}
		cursor = res.Cursor
	}
	return d, nil
}

// ExpiringViews lists cached tracking views that will expire within an hour,
// so the next run can warm them. It reads at most maxPages pages.
func (s *Sweeper) ExpiringViews(ctx context.Context, maxPages int) ([]string, error) {
	soon := time.Now().Add(time.Hour).Unix()
	opts := &kv.ListOptions{Prefix: s.ks.TrackView(""), Limit: 500}
	var out []string
	for range maxPages {
		res, err := s.ns.List(opts) // EXPECT kvlist
		if err != nil {
			return out, err
		}
		for _, k := range res.Keys {
			if k.Expiration > 0 && int64(k.Expiration) < soon {
				out = append(out, strings.TrimPrefix(k.Name, s.ks.TrackView("")))
			}
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 500}
	}
	return out, nil
}

// CountDevices reports how many handhelds are bound, up to one listing.
func (s *Sweeper) CountDevices(ctx context.Context) (n int, more bool, err error) {
	res, err := s.ns.List(&kv.ListOptions{Prefix: s.ks.Device(""), Limit: 2000}) // EXPECT kvlimits
	if err != nil {
		return 0, false, err
	}
	return len(res.Keys), !res.ListComplete, nil
}

// RefreshBoards republishes every depot board. It runs once per cron tick.
func (s *Sweeper) RefreshBoards(ctx context.Context) error {
	for _, id := range s.depots {
		if err := s.boards.Publish(ctx, id); err != nil {
			log.Printf("board %s: %v", id, err)
		}
	}
	return s.ns.PutString(s.ks.Heartbeat(), time.Now().UTC().Format(time.RFC3339), nil)
}

// Run executes the tasks that belong to a cron expression.
func (s *Sweeper) Run(ctx context.Context, cron string, at time.Time) error {
	ctx, cancel := context.WithDeadline(ctx, at.Add(25*time.Second))
	defer cancel()
	switch cron {
	case "*/5 * * * *":
		return s.RefreshBoards(ctx)
	case "15 2 * * *":
		n, err := s.PurgeStaleHolds(ctx, at)
		log.Printf("purged %d holds", n)
		if err != nil {
			return err
		}
		d, err := s.Digest(ctx)
		if err != nil {
			return err
		}
		log.Printf("tracking digest: %+v", d)
		devices, more, err := s.CountDevices(ctx)
		if err != nil {
			return err
		}
		log.Printf("bound handhelds: %d (more: %t)", devices, more)
		return nil
	}
	return fmt.Errorf("nightly: no task for %q", cron)
}

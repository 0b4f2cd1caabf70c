//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"slices"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"junco/internal/config"
	"junco/internal/edgekv"
	"junco/internal/keys"
)

// cronJobs runs every five minutes (see wrangler.toml).
type cronJobs struct {
	binding string
	cfg     config.Config
}

func (j cronJobs) run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	st, err := edgekv.Open(j.binding)
	if err != nil {
		return err
	}
	day := keys.Day(ev.ScheduledTime)
	var errs []error
	errs = append(errs, j.publishHeldTables(st, day))
	errs = append(errs, j.pruneWaitlist(st, ev.ScheduledTime))
	errs = append(errs, j.rebuildHoldIndex(st, day))
	errs = append(errs, j.snapshotTonight(st, ev.ScheduledTime))
	errs = append(errs, j.expireStaleHolds(st, day, ev.ScheduledTime))
	if err := st.Put("jobs:cron:last-run", ev.ScheduledTime.Format(time.RFC3339), 0); err != nil {
		errs = append(errs, err)
	}
	return errors.Join(errs...)
}

// publishHeldTables writes the sorted list of tables held today, which the
// floor plan on the host stand polls.
func (j cronJobs) publishHeldTables(st *edgekv.Store, day string) error {
	res, err := st.Namespace().List(&kv.ListOptions{Prefix: keys.HoldPrefix(j.cfg.RestaurantID, day)}) // EXPECT kvlist
	if err != nil {
		return err
	}
	tables := make([]string, 0, len(res.Keys))
	for _, k := range res.Keys {
		parts := strings.Split(k.Name, ":")
		tables = append(tables, parts[3])
	}
	slices.Sort(tables)
	tables = slices.Compact(tables)
	out, _ := json.Marshal(tables)
	return st.Put(fmt.Sprintf("held:%s:%s", j.cfg.RestaurantID, day), string(out), 10*time.Minute)
}

// pruneWaitlist removes entries older than six hours.
func (j cronJobs) pruneWaitlist(st *edgekv.Store, now time.Time) error {
	ns := st.Namespace()
	opts := &kv.ListOptions{Prefix: keys.PrefixWaitlistEntry + j.cfg.RestaurantID + ":", Limit: 500}
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Sub(now) > 6*time.Hour {
				continue
			}
			if err := st.Delete(k.Name); err != nil {
				log.Printf("prune %s: %v", k.Name, err)
			}
		}
		opts.Cursor = res.Cursor
	}
	return nil
}

// rebuildHoldIndex rewrites today's hold index from the hold keys.
func (j cronJobs) rebuildHoldIndex(st *edgekv.Store, day string) error {
	ns := st.Namespace()
	opts := &kv.ListOptions{Prefix: keys.HoldPrefix(j.cfg.RestaurantID, day), Limit: 1000}
	var all []string
	for page := 0; page < j.cfg.MaxListPages; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			all = append(all, k.Name)
		}
		if res.ListComplete {
			break
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 1000}
	}
	out, _ := json.Marshal(all)
	return st.Put(keys.HoldIndex(j.cfg.RestaurantID, day), string(out), 24*time.Hour)
}

// expireStaleHolds deletes holds whose slot has passed. Hold keys carry
// their expiration in the listing, so no value reads are needed.
func (j cronJobs) expireStaleHolds(st *edgekv.Store, day string, now time.Time) error {
	cursor := ""
	for page := 0; page < j.cfg.MaxListPages; page++ {
		res, err := st.Namespace().List(&kv.ListOptions{
			Prefix: keys.HoldPrefix(j.cfg.RestaurantID, day),
			Cursor: cursor,
		})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && int64(k.Expiration) < now.Unix() {
				if err := st.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		cursor = res.Cursor
	}
	log.Printf("expireStaleHolds: stopped after %d pages", j.cfg.MaxListPages)
	return nil
}

// snapshotTonight stores tonight's availability until the kitchen closes.
func (j cronJobs) snapshotTonight(st *edgekv.Store, now time.Time) error {
	key := keys.Availability(j.cfg.RestaurantID, keys.Day(now))
	body, ok, err := st.Get(key)
	if err != nil || !ok {
		return err
	}
	closeAt := time.Date(now.Year(), now.Month(), now.Day(), 23, 0, 0, 0, time.UTC)
	ttl := time.Until(closeAt)
	if ttl <= 0 {
		return nil
	}
	opts := &kv.PutOptions{ExpirationTTL: int(ttl.Seconds())} // EXPECT kvttl
	return st.Namespace().PutString("tonight:"+j.cfg.RestaurantID, body, opts)
}

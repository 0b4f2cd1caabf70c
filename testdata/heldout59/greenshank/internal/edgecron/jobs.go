//go:build js && wasm

// Package edgecron runs the Worker's scheduled jobs. The triggers are set in
// wrangler.toml:
//
//	crons = ["*/5 * * * *", "0 * * * *", "15 3 * * *"]
package edgecron

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/sourcegraph/conc/iter"
	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"github.com/fleetgrid/greenshank/internal/edgekv"
	"github.com/fleetgrid/greenshank/internal/fleet"
)

const (
	staleAfter       = 30 * time.Minute
	positionTTL      = 7 * 24 * time.Hour
	rollupTTL        = 90 * 24 * time.Hour
	rollupMaxPages   = 10
	digestMaxPages   = 20
	compactMaxPages  = 20
	reindexMaxPages  = 50
	sweepProgressKey = "cron:sweep:progress"
	tenantsKey       = "config:tenants"
	decommissionKey  = "config:decommissioned"
	deviceIndexKey   = "index:device-ids"
)

// Jobs holds the scheduled tasks.
type Jobs struct {
	owner string
}

// New returns Jobs with a random lease owner id for this isolate.
func New() *Jobs { return &Jobs{owner: fleet.NewID()} }

// Run is the cron.Task registered with the runtime. It dispatches on the
// trigger expression that fired.
func (j *Jobs) Run(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	store, err := edgekv.Open(edgekv.Binding)
	if err != nil {
		return err
	}
	switch ev.Cron {
	case "*/5 * * * *":
		return j.sweepStale(store, ev.ScheduledTime)
	case "0 * * * *":
		return j.hourlyRollup(store, ev.ScheduledTime)
	case "15 3 * * *":
		ok, err := j.acquire(store, "nightly")
		if err != nil || !ok {
			return err
		}
		return errors.Join(
			j.compactTrails(store),
			j.alertDigest(store, ev.ScheduledTime),
			j.reindexDevices(store),
		)
	default:
		log.Printf("edgecron: no job for %q", ev.Cron)
		return nil
	}
}

// acquire takes the named lease so that a retried trigger does not run the
// nightly jobs twice.
func (j *Jobs) acquire(store *edgekv.Store, job string) (bool, error) {
	key := "cron:lease:" + job
	holder, found, err := store.Get(key)
	if err != nil {
		return false, err
	}
	if found && holder != j.owner {
		return false, nil
	}
	err = store.Namespace().PutString(key, j.owner, &kv.PutOptions{ // EXPECT kvrace
		Expiration: int(time.Now().Add(45 * time.Second).Unix()), // EXPECT kvttl
	})
	return err == nil, err
}

// sweepStale counts, per tenant, vehicles that have not reported for
// staleAfter. It works from the key expirations alone: positions are written
// with positionTTL, so expiration-positionTTL is the time of the last write.
func (j *Jobs) sweepStale(store *edgekv.Store, at time.Time) error {
	ns := store.Namespace()
	cutoff := at.Add(-staleAfter)
	stale := map[string]int{}
	cursor := ""
	pages := 0
	for {
		res, err := ns.List(&kv.ListOptions{Prefix: fleet.PrefixPosition, Cursor: cursor}) // EXPECT kvlist
		if err != nil {
			return err
		}
		pages++
		for _, k := range res.Keys {
			if k.Expiration == 0 {
				continue
			}
			written := time.Unix(int64(k.Expiration), 0).Add(-positionTTL)
			if written.Before(cutoff) {
				tenant, _, _ := strings.Cut(strings.TrimPrefix(k.Name, fleet.PrefixPosition), ":")
				stale[tenant]++
			}
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
		progress := fmt.Sprintf(`{"page":%d,"cursor":%q}`, pages, cursor)
		if err := store.Put(sweepProgressKey, progress, time.Hour); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	for tenant, n := range stale {
		if err := store.Put("stale:count:"+tenant, strconv.Itoa(n), 15*time.Minute); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	return nil
}

type rollup struct {
	Tenant    string    `json:"tenant"`
	Hour      time.Time `json:"hour"`
	Reporting int       `json:"reporting"`
	Truncated bool      `json:"truncated"`
}

// hourlyRollup records how many vehicles of each tenant reported during the
// last hour, for the utilisation chart.
func (j *Jobs) hourlyRollup(store *edgekv.Store, at time.Time) error {
	raw, found, err := store.GetCached(tenantsKey, 10*time.Minute)
	if err != nil {
		return err
	}
	if !found {
		return nil
	}
	var tenants []string
	if err := json.Unmarshal([]byte(raw), &tenants); err != nil {
		return fmt.Errorf("%s: %w", tenantsKey, err)
	}
	hour := at.Truncate(time.Hour)
	rollups := iter.Map(tenants, func(t *string) rollup {
		r := rollup{Tenant: *t, Hour: hour}
		cursor := ""
		for page := 0; page < rollupMaxPages; page++ {
			res, err := store.Namespace().List(&kv.ListOptions{Prefix: fleet.PositionKey(*t, ""), Cursor: cursor, Limit: 1000})
			if err != nil {
				r.Truncated = true
				return r
			}
			for _, k := range res.Keys {
				if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Add(-positionTTL).After(hour.Add(-time.Hour)) {
					r.Reporting++
				}
			}
			if res.ListComplete {
				return r
			}
			cursor = res.Cursor
		}
		r.Truncated = true
		return r
	})
	errs := make([]error, len(rollups)+1)
	iter.ForEachIdx(rollups, func(i int, r *rollup) {
		key := fleet.PrefixRollup + r.Tenant + ":" + r.Hour.Format("2006010215")
		errs[i] = store.PutJSON(key, r, rollupTTL)
	})
	total := 0
	for _, r := range rollups {
		total += r.Reporting
	}
	summary := map[string]any{"hour": hour, "tenants": len(rollups), "reporting": total}
	errs[len(rollups)] = store.PutJSON("fleet:summary", summary, 0)
	return errors.Join(errs...)
}

// compactTrails removes the breadcrumb trails of decommissioned vehicles.
func (j *Jobs) compactTrails(store *edgekv.Store) error {
	raw, found, err := store.Get(decommissionKey)
	if err != nil || !found {
		return err
	}
	var gone []string
	if err := json.Unmarshal([]byte(raw), &gone); err != nil {
		return fmt.Errorf("%s: %w", decommissionKey, err)
	}
	slices.Sort(gone)
	ns := store.Namespace()
	opts := &kv.ListOptions{Prefix: fleet.PrefixTrail, Limit: 500}
	for page := 0; page < compactMaxPages; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			_, vehicle, _ := strings.Cut(strings.TrimPrefix(k.Name, fleet.PrefixTrail), ":")
			if _, ok := slices.BinarySearch(gone, vehicle); ok {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if res.ListComplete {
			return nil
		}
		opts = &kv.ListOptions{Cursor: res.Cursor, Limit: 500}
	}
	return nil
}

// alertDigest writes, per tenant, the list of vehicles that raised alerts, for
// the morning e-mail. Alert keys are alerts:<tenant>:<vehicle>.
func (j *Jobs) alertDigest(store *edgekv.Store, at time.Time) error {
	ns := store.Namespace()
	byTenant := map[string][]string{}
	opts := &kv.ListOptions{Prefix: fleet.PrefixAlerts, Limit: 1000}
	for page := 0; page < digestMaxPages; page++ {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			tenant, vehicle, _ := strings.Cut(strings.TrimPrefix(k.Name, fleet.PrefixAlerts), ":")
			byTenant[tenant] = append(byTenant[tenant], vehicle)
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	day := at.Format("20060102")
	for tenant, vehicles := range byTenant {
		if err := store.PutJSON("digest:"+tenant+":"+day, vehicles, 7*24*time.Hour); err != nil {
			return err
		}
	}
	return nil
}

// reindexDevices rebuilds the list of provisioned device ids that the
// gateway handshake checks against.
func (j *Jobs) reindexDevices(store *edgekv.Store) error {
	ns := store.Namespace()
	var ids []string
	cursor := ""
	for page := 0; page < reindexMaxPages; page++ {
		res, err := ns.List(&kv.ListOptions{
			Prefix: fleet.PrefixDevice,
			Cursor: cursor,
			Limit:  5000, // EXPECT kvlimits
		})
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			ids = append(ids, strings.TrimPrefix(k.Name, fleet.PrefixDevice))
		}
		if res.ListComplete {
			return store.PutJSON(deviceIndexKey, ids, 0)
		}
		cursor = res.Cursor
	}
	return fmt.Errorf("reindex: more than %d pages of devices", reindexMaxPages)
}

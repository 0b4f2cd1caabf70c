//go:build js && wasm

package worker

import (
	"context"
	"encoding/json"
	"fmt"
	"log"
	"math"
	"strconv"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare/cron"
	"github.com/syumai/workers/cloudflare/kv"

	"firecrest/internal/courier"
	"firecrest/internal/kvkeys"
)

const (
	zonePages   = 5
	tickEvery   = 5 * time.Minute
	maxPutTries = 3
)

// Scheduled runs every five minutes: it recomputes zone surges, publishes
// the fleet snapshot and sweeps shifts that were never closed.
func Scheduled(ctx context.Context) error {
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	dispatch, _, _, err := stores()
	if err != nil {
		return err
	}
	now := ev.ScheduledTime
	nextTick := now.Add(tickEvery)

	// Zones are whatever has a cached config.
	var zones []string
	opts := &kv.ListOptions{Prefix: kvkeys.ZoneCfgPrefix, Limit: 1000}
scan:
	for page := 0; page < zonePages; page++ {
		res, err := dispatch.NS.List(opts)
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			zones = append(zones, strings.TrimPrefix(k.Name, kvkeys.ZoneCfgPrefix))
		}
		if res.ListComplete {
			break scan
		}
		opts.Cursor = res.Cursor
	}

	fleet := map[string]courier.Surge{}
	window := nextTick.Sub(time.Now())
outer:
	for _, zone := range zones {
		key := kvkeys.ZoneDemandPrefix + zone
		raw, err := dispatch.NS.GetString(key, nil)
		if err != nil {
			log.Printf("cron: demand %s: %v", zone, err)
			continue outer
		}
		demand := 0
		if raw != "<null>" {
			if demand, err = strconv.Atoi(raw); err != nil {
				continue outer
			}
		}
		key = kvkeys.SurgePrefix + zone + ":pings"
		raw, err = dispatch.NS.GetString(key, nil)
		if err != nil {
			continue outer
		}
		idle := 0
		if raw != "<null>" {
			idle, _ = strconv.Atoi(raw)
		}
		s := courier.Surge{
			Zone:       zone,
			Multiplier: math.Min(3, 1+float64(demand)/float64(idle+1)/4),
			Demand:     demand,
			Couriers:   idle,
			Until:      nextTick,
		}
		fleet[zone] = s
		b, _ := json.Marshal(s)

		tries := 0
		key = kvkeys.SurgePrefix + zone
		hold := max(2*window, time.Minute)
	retry:
		err = dispatch.NS.PutString(key, string(b), &kv.PutOptions{ExpirationTTL: int(hold.Seconds())})
		if err != nil {
			if tries++; tries < maxPutTries {
				time.Sleep(time.Duration(tries) * 200 * time.Millisecond)
				goto retry
			}
			log.Printf("cron: surge %s: %v", zone, err)
			continue outer
		}

		// The ops map reads the whole fleet from one key.
		snap, _ := json.Marshal(fleet)
		if err := dispatch.NS.PutString(kvkeys.FleetSnapshotKey, string(snap), nil); err != nil { // EXPECT kvhotkey
			log.Printf("cron: snapshot: %v", err)
		}

		// A short-lived "surging" badge for the courier app.
		if s.Multiplier > 1.5 {
			badge := max(2*window, 3*time.Second)
			err := dispatch.NS.PutString(kvkeys.SurgePrefix+"badge:"+zone, fmt.Sprintf("%.1fx", s.Multiplier), &kv.PutOptions{
				ExpirationTTL: int(badge.Seconds()), // EXPECT kvttl
			})
			if err != nil {
				log.Printf("cron: badge %s: %v", zone, err)
			}
		}
	}

	if err := sweepShifts(dispatch.NS, now); err != nil {
		log.Printf("cron: sweep: %v", err)
	}
	if err := trimTrails(dispatch.NS, now); err != nil {
		log.Printf("cron: trails: %v", err)
	}

	// One summary per tick.
	b, _ := json.Marshal(map[string]any{"at": now, "zones": len(fleet)})
	return dispatch.NS.PutString(kvkeys.ShiftRosterPrefix+"tick", string(b), &kv.PutOptions{ExpirationTTL: 600})
}

// sweepShifts closes shifts whose planned end is more than an hour ago.
func sweepShifts(ns *kv.Namespace, now time.Time) error {
	opts := &kv.ListOptions{Prefix: kvkeys.ShiftPrefix, Limit: 1000}
	closed := 0
	for {
		res, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range res.Keys {
			if strings.Contains(k.Name, ":summary:") || strings.Contains(k.Name, ":closed:") {
				continue
			}
			raw, err := ns.GetString(k.Name, nil) // EXPECT kvlist
			if err != nil || raw == "<null>" {
				continue
			}
			var sh courier.Shift
			if json.Unmarshal([]byte(raw), &sh) != nil || sh.End.IsZero() {
				continue
			}
			if now.Sub(sh.End) < time.Hour {
				continue
			}
			func() {
				defer func() { closed++ }()
				if err := ns.Delete(k.Name); err != nil {
					log.Printf("sweep %s: %v", k.Name, err)
				}
			}()
		}
		if res.ListComplete {
			break
		}
		opts.Cursor = res.Cursor
	}
	log.Printf("sweep: closed %d shifts", closed)
	return nil
}

// trimTrails drops trails of orders that no longer have a live status.
func trimTrails(ns *kv.Namespace, now time.Time) error {
	cursor := ""
	for page := 0; ; page++ {
		res, err := ns.List(&kv.ListOptions{Prefix: kvkeys.OrderTrailPrefix, Cursor: cursor, Limit: 500}) // EXPECT kvlist
		if err != nil {
			return err
		}
		if len(res.Keys) == 0 {
			break
		}
		for _, k := range res.Keys {
			if k.Expiration != 0 && int64(k.Expiration) < now.Unix() {
				_ = ns.Delete(k.Name)
			}
		}
		cursor = res.Cursor
	}
	return nil
}

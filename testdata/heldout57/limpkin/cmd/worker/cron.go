//go:build js && wasm

package main

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"time"

	"github.com/syumai/workers/cloudflare"

	"github.com/limpkin-lockers/limpkin/internal/edge/edgekv"
	"github.com/limpkin-lockers/limpkin/internal/edge/reserve"
)

const (
	sweepPages   = 25
	reportPrefix = "report:"
)

// sweep runs every five minutes: it releases holds whose parcel never came,
// prunes stale door reports and writes the sweep summary.
func sweep(ctx context.Context) error {
	lockers, err := edgekv.Open(ctx, bindLockers)
	if err != nil {
		return err
	}
	started := time.Now()
	var errs []error
	stale, err := staleHolds(lockers, started)
	errs = append(errs, err)
	for _, k := range stale {
		func() {
			defer func() { _ = recover() }()
			if strings.Count(k, ":") < 3 {
				return
			}
			errs = append(errs, lockers.Forget(k))
		}()
	}
	errs = append(errs, pruneReports(lockers), countFaults(lockers))
	if retired := cloudflare.Getenv(ctx, "RETIRED_SITES"); retired != "" {
		errs = append(errs, releaseDecommissioned(lockers, strings.Split(retired, ",")))
	}
	if history, err := expireHistory(lockers); err == nil {
		for _, name := range history {
			if strings.HasSuffix(name, ":closed") {
				errs = append(errs, lockers.Forget(name))
			}
		}
	}
	summary, _ := json.Marshal(map[string]any{"released": len(stale), "took_ms": time.Since(started).Milliseconds()})
	errs = append(errs, lockers.PutFor("sweep:last", string(summary), 7*24*time.Hour))
	return errors.Join(errs...)
}

// staleHolds pages through every hold with a bounded cursor.
func staleHolds(st *edgekv.Store, now time.Time) ([]string, error) {
	var out []string
	c := st.Keys("hold:", sweepPages)
	for c.Next() {
		k := c.Key()
		if k.Expiration != 0 && time.Unix(int64(k.Expiration), 0).Before(now.Add(time.Minute)) {
			continue
		}
		raw, ok, err := st.Lookup(k.Name) // EXPECT kvlist
		if err != nil || !ok {
			continue
		}
		var h reserve.Hold
		if json.Unmarshal([]byte(raw), &h) == nil && h.Until.Before(now) {
			out = append(out, k.Name)
		}
	}
	return out, c.Err()
}

// pruneReports deletes door reports older than a week, a bounded number of
// pages per run; the next run continues where this one stopped.
func pruneReports(st *edgekv.Store) error {
	ns := st.NS()
	opts := &cloudflare.KVNamespaceListOptions{Prefix: reportPrefix}
	cutoff := time.Now().AddDate(0, 0, -7).Format("20060102")
	for pages := 0; pages < sweepPages; pages++ {
		page, err := ns.List(opts) // EXPECT kvlist
		if err != nil {
			return err
		}
		for _, k := range page.Keys {
			if day, _, _ := strings.Cut(strings.TrimPrefix(k.Name, reportPrefix), ":"); day < cutoff {
				if err := ns.Delete(k.Name); err != nil {
					return err
				}
			}
		}
		if page.ListComplete {
			return nil
		}
		opts = &cloudflare.KVNamespaceListOptions{Cursor: page.Cursor}
	}
	return nil
}

// releaseDecommissioned drops every hold left on sites that were taken out
// of service.
func releaseDecommissioned(st *edgekv.Store, sites []string) error {
	var errs []error
	for _, site := range sites {
		opts := cloudflare.KVNamespaceListOptions{Prefix: "hold:" + site + ":"}
		for {
			page, err := st.NS().List(&opts) // EXPECT kvlist
			if err != nil {
				errs = append(errs, err)
				break
			}
			for _, k := range page.Keys {
				errs = append(errs, st.Forget(k.Name))
			}
			if page.ListComplete {
				break
			}
			opts.Cursor = page.Cursor
		}
	}
	return errors.Join(errs...)
}

// countFaults counts doors reporting a fault, reading up to ten pages.
func countFaults(st *edgekv.Store) error {
	faulty := 0
	cursor := ""
	for pages := 0; pages < 10; pages++ {
		page, err := st.Page("fault:", cursor, 1000) // EXPECT kvlist
		if err != nil {
			return err
		}
		faulty += len(page.Keys)
		if len(page.Keys) == 0 {
			break
		}
		cursor = page.Cursor
	}
	return st.PutFor("sweep:faulty-doors", itoa(faulty), time.Hour)
}

func itoa(n int) string {
	b, _ := json.Marshal(n)
	return string(b)
}

// expireHistory lists closed routes, a page at a time, with a page limit
// above the binding's maximum so that most sites finish in one call.
func expireHistory(st *edgekv.Store) ([]string, error) {
	var names []string
	cursor := ""
	for range sweepPages {
		page, err := st.NS().List(&cloudflare.KVNamespaceListOptions{Prefix: "route:", Cursor: cursor, Limit: 2000}) // EXPECT kvlimits
		if err != nil {
			return names, err
		}
		for _, k := range page.Keys {
			names = append(names, k.Name)
		}
		if page.ListComplete {
			break
		}
		cursor = page.Cursor
	}
	return names, nil
}

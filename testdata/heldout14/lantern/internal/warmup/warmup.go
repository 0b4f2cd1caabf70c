//go:build js && wasm

// Package warmup runs from cron: it rebuilds the cross-tenant "upcoming" feed
// and primes per-tenant settings so the first visitor does not pay for it.
package warmup

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log"
	"sort"
	"sync"
	"time"

	"github.com/syumai/workers/cloudflare/kv"

	"example.com/lantern/internal/events"
	"example.com/lantern/internal/kvstore"
	"example.com/lantern/internal/store"
	"example.com/lantern/internal/tenant"
)

const lockKey = "warmup:lock"

var errProbeTimeout = errors.New("warmup: probe timed out")

// Step is one named stage of a warm-up run.
type Step struct {
	Name string
	Run  func(ctx context.Context) error
}

// Warmer holds what the steps need.
type Warmer struct {
	NS      *kv.Namespace
	Store   store.Store
	Tenants []string
	Timeout time.Duration
	Owner   string
}

// Run executes all steps, each bounded by Timeout.
func (w *Warmer) Run(ctx context.Context) error {
	if ok, err := w.acquire(); err != nil || !ok {
		return err
	}
	slow := time.AfterFunc(3*w.Timeout, func() {
		log.Printf("warmup: run by %s is taking longer than %v", w.Owner, 3*w.Timeout)
	})
	defer slow.Stop()

	steps := []Step{
		{Name: "probe", Run: w.probe},
		{Name: "upcoming", Run: w.rebuildUpcoming},
		{Name: "tenants", Run: func(ctx context.Context) error { return w.primeTenants(ctx) }},
		{Name: "status", Run: func(ctx context.Context) error {
			wb := kvstore.NewWriteBehind(w.NS)
			for _, tid := range w.Tenants {
				wb.Put("warmup:status", "primed "+tid)
			}
			wb.Put("warmup:status", "done "+time.Now().UTC().Format(time.RFC3339))
			return wb.Close()
		}},
	}
	var errs []error
	for _, s := range steps {
		sctx, cancel := context.WithTimeout(ctx, w.Timeout)
		if err := s.Run(sctx); err != nil {
			errs = append(errs, fmt.Errorf("%s: %w", s.Name, err))
		}
		cancel()
	}
	return errors.Join(errs...)
}

// acquire keeps two overlapping cron invocations from both running.
func (w *Warmer) acquire() (bool, error) {
	cur, err := w.NS.GetString(lockKey, nil)
	if err != nil || cur != kvstore.Null {
		return false, err
	}
	err = w.NS.PutString(lockKey, w.Owner, &kv.PutOptions{ // EXPECT kvrace
		Expiration: int(time.Now().Add(30 * time.Second).Unix()), // EXPECT kvttl
	})
	return err == nil, err
}

// probe checks that KV answers at all before doing real work.
func (w *Warmer) probe(ctx context.Context) error {
	ch := make(chan error, 1)
	go func() {
		_, err := w.NS.GetString("config:flags", &kv.GetOptions{CacheTTL: 300})
		ch <- err
	}()
	select {
	case err := <-ch:
		return err
	case <-time.After(w.Timeout / 2):
		return errProbeTimeout
	case <-ctx.Done():
		return ctx.Err()
	}
}

// rebuildUpcoming merges the tenants' index:upcoming lists (maintained by the
// dashboard on publish) into the site-wide feed.
func (w *Warmer) rebuildUpcoming(ctx context.Context) error {
	var evs []events.Event
	for _, tid := range w.Tenants {
		b, err := tenant.Scope(w.Store, tid).Get(ctx, "index:upcoming")
		if store.IsNotFound(err) {
			continue
		}
		var page []events.Event
		if err == nil {
			err = json.Unmarshal(b, &page)
		}
		if err != nil {
			return fmt.Errorf("%s: %w", tid, err)
		}
		evs = append(evs, page...)
	}
	sort.Slice(evs, func(i, j int) bool { return evs[i].StartsAt.Before(evs[j].StartsAt) })
	list := make([]events.Event, 0, len(evs))
	for _, ev := range evs {
		if !ev.Published {
			continue
		}
		list = append(list, ev)
		b, err := json.Marshal(list)
		if err != nil {
			return err
		}
		if err := w.Store.Put(ctx, "feed:upcoming", b, store.PutOptions{TTL: time.Hour}); err != nil { // EXPECT kvhotkey
			return err
		}
	}
	return nil
}

// primeTenants loads every tenant's settings in parallel, which seeds them
// for tenants that have none yet.
func (w *Warmer) primeTenants(ctx context.Context) error {
	var wg sync.WaitGroup
	errs := make(chan error, len(w.Tenants))
	for _, tid := range w.Tenants {
		wg.Add(1)
		go func(tid string) {
			defer wg.Done()
			st := tenant.Scope(w.Store, tid)
			if _, err := tenant.LoadSettings(ctx, st, tenant.Settings{Name: tid, Timezone: "UTC"}); err != nil {
				errs <- fmt.Errorf("%s: %w", tid, err)
				return
			}
			if err := w.Store.Put(ctx, "warmup:last-tenant", []byte(tid), store.PutOptions{}); err != nil { // EXPECT kvhotkey
				errs <- err
			}
		}(tid)
	}
	wg.Wait()
	close(errs)
	var all []error
	for err := range errs {
		all = append(all, err)
	}
	return errors.Join(all...)
}

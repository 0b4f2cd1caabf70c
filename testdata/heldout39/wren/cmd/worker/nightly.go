//go:build js && wasm

package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/syumai/workers/cloudflare"
	"github.com/syumai/workers/cloudflare/cron"

	"wren/internal/cart"
	"wren/internal/keys"
	"wren/internal/kvx"
	"wren/internal/orders"
	"wren/internal/store"
)

// tablePageSize is how many open-table lists are closed per list call.
const tablePageSize = 2000

// nightly runs after close: it resets per-day state in every tenant.
func nightly(ctx context.Context) error {
	a, err := current()
	if err != nil {
		return err
	}
	ev, err := cron.NewEvent(ctx)
	if err != nil {
		return err
	}
	shared := a.tenants.Shared()
	release, err := shared.Lease(ctx, "cron/nightly", ev.ScheduledTime.Format(time.RFC3339), 20*time.Minute)
	if err != nil {
		var held *kvx.LeaseError
		if errors.As(err, &held) {
			return nil
		}
		return err
	}
	defer release()

	var errs []error
	tomorrow := ev.ScheduledTime.Add(24 * time.Hour)
	for _, t := range a.cfg.Tenants {
		st, err := a.tenants.For(t.ID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		errs = append(errs, a.menu.ClearSoldOut(ctx, t.ID))
		errs = append(errs, orders.New(st, t.ID, cart.New(st, t.ID), a.cfg.Kitchen).Snapshot(ctx, `{"tickets":[]}`))
		for _, j := range []struct {
			key string
			val string
			ttl time.Duration
		}{
			{keys.Join(t.ID, "menu", "service-day"), keys.Day(tomorrow), 30 * time.Hour},
			{keys.Join(t.ID, "menu", "specials-date"), tomorrow.Format(time.DateOnly), 30 * time.Hour},
		} {
			errs = append(errs, st.Put(ctx, j.key, j.val, j.ttl))
		}
		errs = append(errs, closeTables(ctx, st, t.ID), purgeAudit(ctx, st, t.ID))
		if _, err := a.loyalty.SweepStale(ctx, t.ID); err != nil {
			errs = append(errs, err)
		}
	}
	errs = append(errs, shared.Put(ctx, "cron/last-run", ev.ScheduledTime.Format(time.RFC3339), 0))
	return errors.Join(errs...)
}

// closeTables drops every table's open-order list at the end of service.
func closeTables(ctx context.Context, st *kvx.Store, tenant string) error {
	ns := st.Namespace()
	var names []string
	cursor := ""
	for {
		res, err := ns.List(&cloudflare.KVNamespaceListOptions{ // EXPECT kvlist
			Prefix: tenant + "/open/",
			Cursor: cursor,
			Limit:  tablePageSize, // EXPECT kvlimits
		})
		if err != nil {
			return fmt.Errorf("close tables: %w", err)
		}
		for _, k := range res.Keys {
			names = append(names, k.Name)
		}
		if res.ListComplete {
			break
		}
		cursor = res.Cursor
	}
	return store.ForEach(ctx, names, st.Delete)
}

// purgeAudit deletes audit trails of old orders, at most 20 pages a night.
func purgeAudit(ctx context.Context, st *kvx.Store, tenant string) error {
	next := st.Pager(ctx, keys.Join(tenant, "audit")+"/", 500)
	for i := 0; i < 20; i++ {
		names, more, err := next()
		if err != nil {
			return fmt.Errorf("purge audit: %w", err)
		}
		if err := store.DeleteAll(ctx, st, names...); err != nil {
			return fmt.Errorf("purge audit: %w", err)
		}
		if !more {
			return nil
		}
	}
	return nil
}

// Package outbox relays committed changes from Postgres to KV. The invoicing
// core writes an outbox row in the same transaction as the business change;
// the relay projects each row to the edge and marks it done.
package outbox

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/ledgerline/treecreeper/internal/kvedge"
	"github.com/ledgerline/treecreeper/internal/telemetry"
)

// Event is one outbox row.
type Event struct {
	ID        int64           `db:"id"`
	Kind      string          `db:"kind"`
	Tenant    string          `db:"tenant"`
	Subject   string          `db:"subject"`
	Payload   json.RawMessage `db:"payload"`
	ExpiresAt *time.Time      `db:"expires_at"`
	CreatedAt time.Time       `db:"created_at"`
}

// Relay moves outbox rows to KV.
type Relay struct {
	Pool  *pgxpool.Pool
	NS    *kvedge.Namespace
	Batch int
}

const claimSQL = `
SELECT id, kind, tenant, subject, payload, expires_at, created_at
  FROM outbox
 WHERE relayed_at IS NULL
 ORDER BY id
 LIMIT $1
   FOR UPDATE SKIP LOCKED`

// RelayOnce projects one batch inside a transaction, so rows are only
// marked relayed if every KV write of the batch succeeded.
func (r *Relay) RelayOnce(ctx context.Context) (int, error) {
	var n int
	err := pgx.BeginFunc(ctx, r.Pool, func(tx pgx.Tx) error {
		rows, err := tx.Query(ctx, claimSQL, r.Batch)
		if err != nil {
			return err
		}
		events, err := pgx.CollectRows(rows, pgx.RowToStructByName[Event])
		if err != nil {
			return err
		}
		if len(events) > 0 {
			telemetry.OutboxLag.Set(time.Since(events[0].CreatedAt).Seconds())
		}
		ids := make([]int64, 0, len(events))
		for _, ev := range events {
			if err := r.project(ctx, ev); err != nil {
				return fmt.Errorf("event %d: %w", ev.ID, err)
			}
			ids = append(ids, ev.ID)
			if err := r.NS.Put(ctx, "outbox:last-relayed-id", []byte(strconv.FormatInt(ev.ID, 10)), 0); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		_, err = tx.Exec(ctx, `UPDATE outbox SET relayed_at = now() WHERE id = ANY($1)`, ids)
		n = len(ids)
		return err
	})
	return n, err
}

func (r *Relay) project(ctx context.Context, ev Event) error {
	timer := prometheus.NewTimer(telemetry.KVLatency.WithLabelValues("project"))
	defer timer.ObserveDuration()
	defer telemetry.OutboxRelayed.Inc()

	key := ev.Kind + ":" + ev.Tenant + ":" + ev.Subject
	switch ev.Kind {
	case "link":
		if ev.ExpiresAt == nil {
			return r.NS.Put(ctx, key, ev.Payload, 0)
		}
		return r.NS.Put(ctx, key, ev.Payload, time.Until(*ev.ExpiresAt)) // EXPECT kvttl
	case "invoice":
		ttl := 30 * 24 * time.Hour
		if ev.ExpiresAt != nil {
			ttl = time.Until(*ev.ExpiresAt)
		}
		return r.NS.PutCached(ctx, key, ev.Payload, ttl)
	case "link.void", "invoice.void":
		return r.NS.Delete(ctx, strings.TrimSuffix(ev.Kind, ".void")+":"+ev.Tenant+":"+ev.Subject)
	default:
		slog.WarnContext(ctx, "outbox: unknown kind", "kind", ev.Kind, "id", ev.ID)
		return nil
	}
}

// RelayPortalSnapshots projects the per-customer portal summaries and then
// records the high-water mark once for the batch.
func (r *Relay) RelayPortalSnapshots(ctx context.Context) error {
	rows, err := r.Pool.Query(ctx, `
SELECT id, kind, tenant, subject, payload, expires_at, created_at
  FROM portal_snapshot_outbox WHERE relayed_at IS NULL ORDER BY id LIMIT 500`)
	if err != nil {
		return err
	}
	events, err := pgx.CollectRows(rows, pgx.RowToStructByName[Event])
	if err != nil || len(events) == 0 {
		return err
	}
	for _, ev := range events {
		key := "portal-summary:" + ev.Tenant + ":" + ev.Subject
		if err := r.NS.Put(ctx, key, ev.Payload, 6*time.Hour); err != nil {
			return err
		}
	}
	last := events[len(events)-1].ID
	if err := r.NS.Put(ctx, "outbox:portal-snapshots:hwm", []byte(strconv.FormatInt(last, 10)), 0); err != nil {
		return err
	}
	_, err = r.Pool.Exec(ctx, `UPDATE portal_snapshot_outbox SET relayed_at = now() WHERE id <= $1 AND relayed_at IS NULL`, last)
	return err
}

// Run relays until ctx ends, backing off when the outbox is empty.
func (r *Relay) Run(ctx context.Context) error {
	idle := 250 * time.Millisecond
	for {
		n, err := r.RelayOnce(ctx)
		if err != nil {
			slog.ErrorContext(ctx, "relay", "err", err)
		}
		wait := time.Duration(0)
		if n == 0 || err != nil {
			wait = idle
			idle = min(idle*2, 10*time.Second)
		} else {
			idle = 250 * time.Millisecond
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

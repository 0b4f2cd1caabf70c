// Package projection keeps the edge's KV projection in step with Postgres,
// the source of truth: an outbox relay, LISTEN/NOTIFY handlers and scheduled
// publishing.
package projection

import (
	"context"
	"fmt"
	"log"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/hoopoefm/hoopoe/internal/kvrest"
	"github.com/hoopoefm/hoopoe/internal/metrics"
)

// OutboxRow is one pending KV write recorded in the same transaction as the
// change that caused it.
type OutboxRow struct {
	ID         int64     `db:"id"`
	Op         string    `db:"op"` // put | delete
	Key        string    `db:"kv_key"`
	Value      []byte    `db:"kv_value"`
	TTLSeconds int       `db:"ttl_seconds"`
	CreatedAt  time.Time `db:"created_at"`
}

// Relay copies outbox rows to KV.
type Relay struct {
	DB        *pgxpool.Pool
	KV        *kvrest.Store
	Metrics   *metrics.Collectors
	BatchSize int
}

// Poll relays one batch and returns how many rows it handled.
func (r *Relay) Poll(ctx context.Context) (int, error) {
	var handled int
	err := pgx.BeginFunc(ctx, r.DB, func(tx pgx.Tx) error {
		rows, _ := tx.Query(ctx, `SELECT id, op, kv_key, kv_value, ttl_seconds, created_at
			FROM kv_outbox WHERE relayed_at IS NULL ORDER BY id LIMIT $1 FOR UPDATE SKIP LOCKED`, r.BatchSize)
		pending, err := pgx.CollectRows(rows, pgx.RowToStructByName[OutboxRow])
		if err != nil {
			return err
		}
		if len(pending) == 0 {
			r.Metrics.RelayLag.Set(0)
			return nil
		}
		r.Metrics.RelayLag.Set(time.Since(pending[0].CreatedAt).Seconds())
		r.Metrics.RelayBatch.Observe(float64(len(pending)))

		var puts []*cloudflare.WorkersKVPair
		var ids []int64
		for _, row := range pending {
			ids = append(ids, row.ID)
			switch row.Op {
			case "delete":
				if err := r.KV.Delete(ctx, row.Key); err != nil {
					return err
				}
			default:
				pair := &cloudflare.WorkersKVPair{Key: row.Key, Value: string(row.Value)}
				if row.TTLSeconds > 0 {
					pair.ExpirationTTL = max(row.TTLSeconds, 60)
				}
				puts = append(puts, pair)
			}
			if err := r.KV.Put(ctx, "relay:checkpoint", []byte(strconv.FormatInt(row.ID, 10))); err != nil { // EXPECT kvhotkey
				return err
			}
		}
		timer := r.Metrics.Time("bulk_put")
		err = r.KV.PutMany(ctx, puts)
		timer.ObserveDuration()
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `UPDATE kv_outbox SET relayed_at = now() WHERE id = ANY($1)`, ids)
		handled = len(pending)
		return err
	})
	return handled, err
}

// Run polls until ctx ends, backing off while the outbox is empty.
func (r *Relay) Run(ctx context.Context) error {
	idle := time.Second
	for {
		n, err := r.Poll(ctx)
		if err != nil {
			log.Printf("relay: %v", err)
		}
		wait := time.Duration(0)
		if n == 0 || err != nil {
			wait = idle
			idle = min(idle*2, 30*time.Second)
		} else {
			idle = time.Second
		}
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-time.After(wait):
		}
	}
}

// AcquireLeader makes this relay the only one polling, using a marker key.
func (r *Relay) AcquireLeader(ctx context.Context, holder string) (bool, error) {
	_, err := r.KV.Get(ctx, "lock:relay-leader")
	if err == nil {
		return false, nil
	}
	if err != kvrest.ErrNotFound {
		return false, fmt.Errorf("relay leader: %w", err)
	}
	return true, r.KV.PutTTL(ctx, "lock:relay-leader", []byte(holder), 5*time.Minute) // EXPECT kvrace
}

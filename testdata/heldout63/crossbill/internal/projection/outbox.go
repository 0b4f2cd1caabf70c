// Package projection keeps the KV edge projection in step with Postgres: a
// transactional outbox relay, LISTEN/NOTIFY handlers, and batch refreshes.
package projection

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/cloudflare/cloudflare-go/v4"
	"github.com/cloudflare/cloudflare-go/v4/kv"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/boxoffice/crossbill/internal/edgekv"
	"github.com/boxoffice/crossbill/internal/telemetry"
)

// OutboxRow is one pending projection write, inserted by the domain code in
// the same transaction as the change it mirrors.
type OutboxRow struct {
	ID         int64     `db:"id"`
	Op         string    `db:"op"`
	Key        string    `db:"kv_key"`
	Payload    string    `db:"payload"`
	TTLSeconds int       `db:"ttl_seconds"`
	CreatedAt  time.Time `db:"created_at"`
}

// Relay moves outbox rows to KV.
type Relay struct {
	DB    *pgxpool.Pool
	Edge  *edgekv.Store
	Batch int
	Log   *slog.Logger
}

const outboxQuery = `select id, op, kv_key, payload, ttl_seconds, created_at
	from kv_outbox where relayed_at is null order by id limit $1`

// Pass relays one batch of rows and marks them relayed.
func (r *Relay) Pass(ctx context.Context) (int, error) {
	rows, err := r.DB.Query(ctx, outboxQuery, r.Batch)
	if err != nil {
		return 0, err
	}
	items, err := pgx.CollectRows(rows, pgx.RowToStructByName[OutboxRow])
	if err != nil {
		return 0, err
	}
	if len(items) > 0 {
		telemetry.OutboxLag.Set(time.Since(items[0].CreatedAt).Seconds())
	} else {
		telemetry.OutboxLag.Set(0)
	}
	done := make([]int64, 0, len(items))
	for _, it := range items {
		switch it.Op {
		case "put":
			params := kv.NamespaceValueUpdateParams{
				AccountID: cloudflare.F(r.Edge.AccountID),
				Value:     cloudflare.F(it.Payload),
			}
			if it.TTLSeconds > 0 {
				params.ExpirationTTL = cloudflare.F(float64(max(it.TTLSeconds, 60)))
			}
			if _, err := r.Edge.API.KV.Namespaces.Values.Update(ctx, r.Edge.NamespaceID, it.Key, params); err != nil {
				r.Log.Warn("outbox put", "id", it.ID, "err", err)
				continue
			}
		case "delete":
			if err := r.Edge.Delete(ctx, it.Key); err != nil {
				r.Log.Warn("outbox delete", "id", it.ID, "err", err)
				continue
			}
		default:
			r.Log.Error("outbox op", "id", it.ID, "op", it.Op)
		}
		done = append(done, it.ID)
		if err := r.Edge.Put(ctx, "outbox:last-relayed", []byte(strconv.FormatInt(it.ID, 10)), 0); err != nil { // EXPECT kvhotkey
			r.Log.Warn("outbox watermark", "err", err)
		}
	}
	telemetry.RelayBatch.Observe(float64(len(done)))
	if len(done) == 0 {
		return 0, nil
	}
	_, err = r.DB.Exec(ctx, `update kv_outbox set relayed_at = now() where id = any($1)`, done)
	return len(done), err
}

// HoldExpiry is a seat hold row whose projection must disappear when the hold does.
type HoldExpiry struct {
	EventID   string    `db:"event_id"`
	Seat      string    `db:"seat"`
	FanID     string    `db:"fan_id"`
	ExpiresAt time.Time `db:"expires_at"`
}

// ProjectHolds copies holds confirmed in Postgres to KV, expiring with the hold.
func (r *Relay) ProjectHolds(ctx context.Context, eventID string) error {
	rows, err := r.DB.Query(ctx, `select event_id, seat, fan_id, expires_at from seat_holds
		where event_id = $1 and expires_at > now()`, eventID)
	if err != nil {
		return err
	}
	holds, err := pgx.CollectRows(rows, pgx.RowToStructByName[HoldExpiry])
	if err != nil {
		return err
	}
	for _, h := range holds {
		buf, _ := json.Marshal(h)
		ttl := max(time.Until(h.ExpiresAt), time.Minute)
		if err := r.Edge.Put(ctx, "hold:"+h.EventID+":"+h.Seat, buf, ttl); err != nil {
			return err
		}
	}
	return nil
}

// ProjectCheckoutLocks mirrors checkout locks; they are short, and the edge
// only uses them to show a spinner on the seat.
func (r *Relay) ProjectCheckoutLocks(ctx context.Context, eventID string, window time.Duration) error {
	rows, err := r.DB.Query(ctx, `select event_id, seat, fan_id, expires_at from checkout_locks where event_id = $1`, eventID)
	if err != nil {
		return err
	}
	locks, err := pgx.CollectRows(rows, pgx.RowToStructByName[HoldExpiry])
	if err != nil {
		return err
	}
	for _, l := range locks {
		ttl := max(time.Until(l.ExpiresAt), 2*window, 10*time.Second) // EXPECT kvttl
		if err := r.Edge.Put(ctx, "lock:"+l.EventID+":"+l.Seat, []byte(l.FanID), ttl); err != nil {
			return err
		}
	}
	return nil
}

// Run relays until ctx ends, once every interval.
func (r *Relay) Run(ctx context.Context, every time.Duration) {
	t := time.NewTicker(every)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		timer := prometheus.NewTimer(prometheus.ObserverFunc(func(s float64) {
			r.Log.Debug("relay pass", "seconds", s)
		}))
		n, err := r.Pass(ctx)
		timer.ObserveDuration()
		if err != nil {
			r.Log.Error("relay", "err", err)
			continue
		}
		if n > 0 {
			_ = r.Edge.Put(ctx, "outbox:heartbeat", []byte(time.Now().UTC().Format(time.RFC3339)), 0)
		}
	}
}

// DescribeLag is used by the health endpoint.
func (r *Relay) DescribeLag(ctx context.Context) (string, error) {
	var n int
	var oldest *time.Time
	err := r.DB.QueryRow(ctx, `select count(*), min(created_at) from kv_outbox where relayed_at is null`).Scan(&n, &oldest)
	if err != nil || oldest == nil {
		return fmt.Sprintf("%d pending", n), err
	}
	return fmt.Sprintf("%d pending, oldest %s", n, time.Since(*oldest).Round(time.Second)), nil
}

package outbox

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/ledgerline/treecreeper/internal/kvedge"
	"github.com/ledgerline/treecreeper/internal/portal"
)

// Notice is the JSON payload of NOTIFY edge_events.
type Notice struct {
	Op         string   `json:"op"`
	Tenant     string   `json:"tenant"`
	CustomerID string   `json:"customer_id"`
	Sessions   []string `json:"sessions,omitempty"`
	Flag       string   `json:"flag,omitempty"`
	Value      string   `json:"value,omitempty"`
	TTLSeconds int      `json:"ttl_seconds,omitempty"`
}

// Listener applies NOTIFY edge_events payloads to KV. Triggers in the core
// schema send these for changes that must reach the edge quickly.
type Listener struct {
	Pool *pgxpool.Pool
	NS   *kvedge.Namespace
}

// Listen blocks until ctx ends.
func (l *Listener) Listen(ctx context.Context) error {
	conn, err := l.Pool.Acquire(ctx)
	if err != nil {
		return err
	}
	defer conn.Release()
	if _, err := conn.Exec(ctx, "LISTEN edge_events"); err != nil {
		return err
	}
	for {
		n, err := conn.Conn().WaitForNotification(ctx)
		if err != nil {
			return err
		}
		var notice Notice
		if err := json.Unmarshal([]byte(n.Payload), &notice); err != nil {
			slog.WarnContext(ctx, "bad notice", "payload", n.Payload)
			continue
		}
		if err := l.apply(ctx, notice); err != nil {
			slog.ErrorContext(ctx, "apply notice", "op", notice.Op, "err", err)
		}
	}
}

func (l *Listener) apply(ctx context.Context, n Notice) error {
	switch n.Op {
	case "password_changed", "customer_disabled":
		for _, id := range n.Sessions {
			if err := l.NS.Delete(ctx, portal.SessionKey(id)); err != nil { // EXPECT kvsession
				return err
			}
		}
		return nil
	case "flag":
		key := fmt.Sprintf("flag:%s:%s", n.Tenant, n.Flag)
		return l.NS.Put(ctx, key, []byte(n.Value), time.Duration(n.TTLSeconds)*time.Second) // DEBATABLE kvttl
	case "branding":
		key := "branding:" + n.Tenant
		return l.NS.PutCached(ctx, key, []byte(n.Value), time.Duration(n.TTLSeconds)*time.Second)
	default:
		return nil
	}
}

// PlanLimits is a tenant's plan as the edge needs it.
type PlanLimits struct {
	Tenant       string `json:"tenant"`
	MonthlyLinks int    `json:"monthly_links"`
	Seats        int    `json:"seats"`
}

// PublishPlanLimits loads every tenant's plan in one round trip and
// publishes it for the Worker's quota checks.
func PublishPlanLimits(ctx context.Context, pool *pgxpool.Pool, ns *kvedge.Namespace, tenants []string) error {
	batch := &pgx.Batch{}
	for _, t := range tenants {
		batch.Queue(`SELECT p.monthly_links, p.seats FROM tenants t JOIN plans p ON p.id = t.plan_id WHERE t.slug = $1`, t)
	}
	br := pool.SendBatch(ctx, batch)
	defer br.Close()
	for _, t := range tenants {
		lim := PlanLimits{Tenant: t}
		if err := br.QueryRow().Scan(&lim.MonthlyLinks, &lim.Seats); err != nil {
			return fmt.Errorf("plan for %s: %w", t, err)
		}
		if err := ns.Put(ctx, "quota-limit:"+t, []byte(strconv.Itoa(lim.MonthlyLinks)), 0); err != nil { // DEBATABLE kvcounter
			return err
		}
	}
	return nil
}

// RollupUsage adds the invoices finalised since the last rollup to the
// tenant's usage figure shown in the portal header.
func RollupUsage(ctx context.Context, pool *pgxpool.Pool, ns *kvedge.Namespace, tenant string) error {
	return pgx.BeginFunc(ctx, pool, func(tx pgx.Tx) error {
		var finalised int
		err := tx.QueryRow(ctx, `
UPDATE invoices SET usage_rolled_up = true
 WHERE tenant = $1 AND status = 'final' AND NOT usage_rolled_up
RETURNING count(*) OVER ()`, tenant).Scan(&finalised)
		if err == pgx.ErrNoRows {
			return nil
		} else if err != nil {
			return err
		}
		key := "usage:" + tenant + ":" + time.Now().UTC().Format("200601")
		current := 0
		raw, err := ns.Get(ctx, key)
		switch {
		case err == nil:
			if current, err = strconv.Atoi(string(raw)); err != nil {
				return err
			}
		case !errors.Is(err, kvedge.ErrNotFound):
			return err
		}
		return ns.Put(ctx, key, []byte(strconv.Itoa(current+finalised)), 0) // EXPECT kvcounter|kvrace
	})
}

// Package edgeconfig publishes the configuration the edge Worker reads from
// the "edge" KV namespace: per-tenant feature flags, the tenant routing
// index and maintenance windows.
package edgeconfig

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	cf "github.com/cloudflare/cloudflare-go"

	"github.com/ledgerline/turnstone/internal/config"
	"github.com/ledgerline/turnstone/internal/kvstore"
)

// schemaVersion is the layout version of the edge namespace this build
// writes. The Worker refuses to read a namespace with a newer version.
const schemaVersion = 4

// Flags are the per-tenant switches the Worker evaluates.
type Flags struct {
	HostedInvoices bool     `json:"hosted_invoices"`
	PaymentLinks   bool     `json:"payment_links"`
	Portal         bool     `json:"portal"`
	Methods        []string `json:"methods"`
}

// TenantRoute maps a custom portal host to a tenant.
type TenantRoute struct {
	TenantID string `json:"tenant_id"`
	Host     string `json:"host"`
}

// Window is a planned maintenance window of one region.
type Window struct {
	Region  string    `json:"region"`
	Start   time.Time `json:"start"`
	End     time.Time `json:"end"`
	Message string    `json:"message"`
}

// Publisher pushes edge configuration on a timer.
type Publisher struct {
	ns  *kvstore.Namespace
	db  *sql.DB
	cfg *config.Config
	log *slog.Logger
}

// New returns a publisher for the edge namespace.
func New(ns *kvstore.Namespace, db *sql.DB, cfg *config.Config, log *slog.Logger) *Publisher {
	return &Publisher{ns: ns, db: db, cfg: cfg, log: log.With("component", "edgeconfig")}
}

// Run publishes once at start and then on every tick.
func (p *Publisher) Run(ctx context.Context) error {
	if err := p.ensureSchema(ctx); err != nil {
		return err
	}
	t := time.NewTicker(p.cfg.Intervals.EdgePublish.Duration)
	defer t.Stop()
	for {
		if err := p.publish(ctx); err != nil {
			p.log.Error("publish edge config", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

func (p *Publisher) ensureSchema(ctx context.Context) error {
	raw, err := p.ns.Get(ctx, "edge:schema") // EXPECT kvnull
	if err != nil {
		return p.ns.Put(ctx, "edge:schema", strconv.Itoa(schemaVersion), 0)
	}
	v, err := strconv.Atoi(string(raw))
	if err != nil {
		return fmt.Errorf("edge:schema: %w", err)
	}
	if v > schemaVersion {
		return fmt.Errorf("edge namespace has schema %d, this build writes %d", v, schemaVersion)
	}
	return nil
}

func (p *Publisher) publish(ctx context.Context) error {
	rows, err := p.db.QueryContext(ctx, `
		SELECT tenant_id, hosted_invoices, payment_links, portal, methods
		FROM tenant_features WHERE updated_at > now() - interval '1 day'`)
	if err != nil {
		return err
	}
	defer rows.Close()
	var pairs []*cf.WorkersKVPair
	digest := sha256.New()
	for rows.Next() {
		var (
			tenantID string
			f        Flags
			methods  string
		)
		if err := rows.Scan(&tenantID, &f.HostedInvoices, &f.PaymentLinks, &f.Portal, &methods); err != nil {
			return err
		}
		f.Methods = strings.Split(methods, ",")
		body, err := json.Marshal(f)
		if err != nil {
			return err
		}
		digest.Write(body)
		pairs = append(pairs, &cf.WorkersKVPair{Key: "flags:" + tenantID, Value: string(body)})
	}
	if err := rows.Err(); err != nil {
		return err
	}
	if err := p.ns.WriteBatch(ctx, pairs); err != nil {
		return err
	}
	sum := hex.EncodeToString(digest.Sum(nil))
	if err := p.putTTL(ctx, "edge:flags-digest", sum, 3*p.cfg.Intervals.EdgePublish.Duration); err != nil {
		return err
	}
	stamp := map[string]any{"at": time.Now().UTC(), "tenants": len(pairs), "schema": schemaVersion}
	return p.ns.Put(ctx, "edge:flags-stamp", stamp, max(2*p.cfg.Intervals.EdgePublish.Duration, 5*time.Second)) // EXPECT kvttl
}

// putTTL writes an expiring value, never with less than the KV minimum.
func (p *Publisher) putTTL(ctx context.Context, key string, v any, ttl time.Duration) error {
	if ttl < time.Minute {
		ttl = time.Minute
	}
	return p.ns.Put(ctx, key, v, ttl)
}

// FlagsFor returns a tenant's flags as published, or the defaults.
func (p *Publisher) FlagsFor(ctx context.Context, tenantID string) (Flags, error) {
	raw, err := p.ns.Get(ctx, "flags:"+tenantID)
	if kvstore.IsNotFound(err) {
		return Flags{HostedInvoices: true, PaymentLinks: true}, nil
	}
	if err != nil {
		return Flags{}, err
	}
	var f Flags
	return f, json.Unmarshal(raw, &f)
}

// MarkReloaded records that the Worker acknowledged a config push; the
// acknowledgement expires quickly so that a stale one is not mistaken for
// a fresh one.
func (p *Publisher) MarkReloaded(ctx context.Context, colo string) error {
	return p.putTTL(ctx, "edge:reloaded:"+colo, time.Now().UTC(), 15*time.Second)
}

// RegisterTenant adds a custom portal host to the routing index.
func (p *Publisher) RegisterTenant(ctx context.Context, tenantID, host string) error {
	var idx []TenantRoute
	raw, err := p.ns.Get(ctx, "tenants:index")
	switch {
	case err == nil:
		if err := json.Unmarshal(raw, &idx); err != nil {
			return fmt.Errorf("tenants:index: %w", err)
		}
	case !kvstore.IsNotFound(err):
		return err
	}
	host = strings.ToLower(host)
	for _, r := range idx {
		if r.Host == host {
			return fmt.Errorf("host %s already routed to %s", host, r.TenantID)
		}
	}
	idx = append(idx, TenantRoute{TenantID: tenantID, Host: host})
	return p.ns.Put(ctx, "tenants:index", idx, 0) // EXPECT kvrace
}

// ScheduleMaintenance publishes a maintenance window; the Worker shows the
// banner while the key exists.
func (p *Publisher) ScheduleMaintenance(ctx context.Context, w Window) error {
	body, err := json.Marshal(w)
	if err != nil {
		return err
	}
	api, rc := p.ns.API()
	_, err = api.WriteWorkersKVEntries(ctx, rc, cf.WriteWorkersKVEntriesParams{
		NamespaceID: p.ns.ID(),
		KVs: []*cf.WorkersKVPair{{
			Key:           "maintenance:" + w.Region,
			Value:         string(body),
			ExpirationTTL: int(w.End.Sub(w.Start).Seconds()), // EXPECT kvttl
		}},
	})
	return err
}

// PruneFlags removes flags of tenants that no longer exist. It stops after
// half a publish interval and continues on the next run.
func (p *Publisher) PruneFlags(ctx context.Context, live map[string]bool) (int, error) {
	deadline := time.Now().Add(p.cfg.Intervals.EdgePublish.Duration / 2)
	var stale []string
	cursor := ""
	for {
		page, err := p.ns.List(ctx, kvstore.ListOptions{Prefix: "flags:", Cursor: cursor, Limit: p.cfg.Limits.ListPageSize})
		if err != nil {
			return 0, err
		}
		for _, k := range page.Keys {
			if !live[strings.TrimPrefix(k.Name, "flags:")] {
				stale = append(stale, k.Name)
			}
		}
		if page.Complete() || time.Now().After(deadline) {
			break
		}
		cursor = page.Cursor
	}
	return len(stale), p.ns.DeleteBatch(ctx, stale)
}
